package org.medveil.site.federation;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link KeyVault} in memory, for tests: nothing survives the process. */
public final class InMemoryKeyVault implements KeyVault {

    private final Map<String, byte[]> secrets = new ConcurrentHashMap<>();

    @Override
    public void store(String jobId, String name, byte[] secret) {
        secrets.put(jobId + "\u0000" + name, secret.clone());
    }

    @Override
    public Optional<byte[]> load(String jobId, String name) {
        return Optional.ofNullable(secrets.get(jobId + "\u0000" + name)).map(byte[]::clone);
    }

    @Override
    public void erase(String jobId) {
        secrets.keySet().removeIf(k -> k.startsWith(jobId + "\u0000"));
    }
}
