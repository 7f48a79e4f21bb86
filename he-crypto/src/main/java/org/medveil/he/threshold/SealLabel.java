package org.medveil.he.threshold;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * What a sealed share is bound to (AEAD associated data): the job, the sending holder and the
 * receiving holder. Opening under any other label fails, so a coordinator cannot replay a share
 * into another job or hand it to another holder.
 */
public record SealLabel(String jobId, String sender, String recipient) {

    public SealLabel {
        for (String s : new String[] {jobId, sender, recipient}) {
            if (s == null || s.isEmpty() || s.getBytes(StandardCharsets.UTF_8).length > 0xFFFF) {
                throw new IllegalArgumentException("seal label fields must be non-empty and below 64 KiB");
            }
        }
    }

    /** Unambiguous encoding: each field as u16 length + UTF-8. */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String s : new String[] {jobId, sender, recipient}) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write(b.length >>> 8);
            out.write(b.length);
            out.write(b, 0, b.length);
        }
        return out.toByteArray();
    }
}
