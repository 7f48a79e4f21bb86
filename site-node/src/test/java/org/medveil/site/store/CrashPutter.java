package org.medveil.site.store;

import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * Child process of {@link CrashTest}: opens the store and puts objects in a loop, printing
 * {@code ACK id digest} only after {@code put} returned. Killed with SIGKILL by the parent.
 * Arguments: data folder, keystore, password source.
 */
public final class CrashPutter {

    private CrashPutter() {
    }

    public static void main(String[] args) {
        SiteKeystore ks = SiteKeystore.open(Path.of(args[1]), Secret.parse(args[2]));
        ObjectStore store = ObjectStore.open(Path.of(args[0]), ks);
        SecureRandom r = new SecureRandom();
        System.out.println("READY");
        System.out.flush();
        for (int i = 0; ; i++) {
            byte[] b = new byte[4096 + r.nextInt(60_000)];
            r.nextBytes(b);
            if (i % 4 == 1) { // an ingested pair: both or neither
                byte[] d = new byte[4096 + r.nextInt(20_000)];
                r.nextBytes(d);
                ObjectStore.Pair pair = store.putPair(b, ObjectMeta.of("crash-pair"), d, ObjectMeta.of("crash-pair"));
                System.out.println("ACK " + pair.original().id() + " " + pair.original().digest());
                System.out.println("ACK " + pair.derivative().id() + " " + pair.derivative().digest());
                System.out.flush();
                continue;
            }
            StoredObject o = store.put(i % 3 == 0 ? StoredObjectKind.DERIVATIVE : StoredObjectKind.ORIGINAL, b,
                    ObjectMeta.of(i % 2 == 0 ? "crash-a" : "crash-b"));
            System.out.println("ACK " + o.id() + " " + o.digest());
            System.out.flush();
        }
    }
}
