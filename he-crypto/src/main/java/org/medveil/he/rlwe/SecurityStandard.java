package org.medveil.he.rlwe;

import java.util.Map;
import org.medveil.he.InsecureParametersException;

/**
 * The HomomorphicEncryption.org security standard (Albrecht et al., 2018), Table 1 for a
 * ternary (uniform {-1,0,1}) secret and error σ ≈ 3.2, classical 128-bit security: the largest
 * log2 Q allowed for each ring degree. A set above the line is refused, not warned about.
 */
public final class SecurityStandard {

    /** N → max log2 Q at 128-bit classical security. */
    public static final Map<Integer, Integer> MAX_LOG_Q_128 = Map.of(
            1024, 27,
            2048, 54,
            4096, 109,
            8192, 218,
            16384, 438,
            32768, 881);

    private SecurityStandard() {
    }

    public static void requireSecure(String setName, int logN, int logQ) {
        if (logN < 1 || logN > 30) {
            throw new InsecureParametersException("parameter set " + setName + ": log N = " + logN
                    + " is not a supported ring size; use N in " + MAX_LOG_Q_128.keySet());
        }
        int n = 1 << logN;
        Integer max = MAX_LOG_Q_128.get(n);
        if (max == null) {
            throw new InsecureParametersException("parameter set " + setName + ": N = " + n
                    + " is not in the HomomorphicEncryption.org 128-bit table; use N in "
                    + MAX_LOG_Q_128.keySet());
        }
        if (logQ > max) {
            throw new InsecureParametersException("parameter set " + setName + ": log2 Q = " + logQ
                    + " exceeds " + max + ", the 128-bit maximum for N = " + n
                    + " (HomomorphicEncryption.org standard); use fewer or smaller primes or a larger N");
        }
    }
}
