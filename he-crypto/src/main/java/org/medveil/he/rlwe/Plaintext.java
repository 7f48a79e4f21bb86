package org.medveil.he.rlwe;

import org.medveil.he.ring.Poly;

/**
 * Encoded values: coefficient j of {@code poly} (coefficient domain, RNS) holds round(x_j·Δ).
 *
 * @param poly       the encoded polynomial
 * @param valueCount how many leading coefficients carry values (the rest are zero)
 * @param bound      declared bound B with |x_j| ≤ B, checked at encoding and carried along so
 *                   that sums can be range-checked without decrypting
 */
public record Plaintext(Poly poly, int valueCount, double bound) {
}
