package org.medveil.dicom.deid;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The shipped safe private list ({@code safe-private.txt}: one "gggg,CREATOR,xx" per line). */
public final class SafePrivateList {
    private SafePrivateList() {}

    public static List<SafePrivateTag> shipped() {
        try (InputStream in = SafePrivateList.class.getResourceAsStream("safe-private.txt")) {
            if (in == null) {
                throw new IllegalStateException("safe-private.txt is missing from the dicom jar");
            }
            List<SafePrivateTag> out = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                String l = line.strip();
                if (!l.isEmpty() && !l.startsWith("#")) {
                    out.add(SafePrivateTag.parse(l));
                }
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read safe-private.txt", e);
        }
    }
}
