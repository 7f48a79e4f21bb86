package org.medveil.governance.audit;

import org.medveil.governance.files.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sidecar {@code audit.head}: seq and SHA-256 of the line of the latest signed checkpoint
 * (seq 0 and 64 zeros before the first). Written atomically after each checkpoint; it lets the
 * verifier notice trailing records, checkpoints included, cut from the log. A copy kept elsewhere
 * ({@link #parse} of {@code SEQ:SHA256}) catches a rollback of log and head together.
 */
public record AuditHead(long seq, String lineHash) {

    public static final String FILE = "audit.head";
    static final AuditHead GENESIS = new AuditHead(0, AuditRecord.GENESIS);
    private static final Pattern FORMAT = Pattern.compile("seq=(\\d{1,18})\nline-sha256=([0-9a-f]{64})\n");

    /** A head noted elsewhere, as {@code SEQ:SHA256} (the two values of an {@code audit.head} file). */
    public static AuditHead parse(String seqColonHash) {
        Matcher m = Pattern.compile("(\\d{1,18}):([0-9a-f]{64})").matcher(seqColonHash);
        if (!m.matches() || Long.parseLong(m.group(1)) < 1) {
            throw new IllegalArgumentException("'" + seqColonHash + "' is not SEQ:SHA256 (seq from 1, 64 lower-case hex"
                    + " digits), the seq= and line-sha256= values of an audit.head file");
        }
        return new AuditHead(Long.parseLong(m.group(1)), m.group(2));
    }

    /** Null when there is no head file; an {@link AuditException} when it is unreadable or malformed. */
    static AuditHead read(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.exists(f)) {
            return null;
        }
        String s;
        try {
            s = Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AuditException("cannot read " + f + ": " + e.getMessage(), e);
        }
        Matcher m = FORMAT.matcher(s);
        if (!m.matches()) {
            throw new AuditException(f + " is not 'seq=N' and 'line-sha256=HEX' lines; it was edited or damaged");
        }
        return new AuditHead(Long.parseLong(m.group(1)), m.group(2));
    }

    /** Write to a temporary file, fsync, rename over the head, fsync the folder. */
    void write(Path dir) {
        try {
            DurableFiles.replace(dir.resolve(FILE),
                    ("seq=" + seq + "\nline-sha256=" + lineHash + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AuditException("cannot write " + dir.resolve(FILE) + ": " + e.getMessage()
                    + "; check free space and permissions of the audit folder", e);
        }
    }
}
