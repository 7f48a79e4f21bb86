package org.medveil.governance.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Names and reading of the {@code audit-NNNNNN.jsonl} files of an audit folder. */
final class AuditFiles {

    static final Pattern NAME = Pattern.compile("audit-(\\d{6})\\.jsonl");

    private AuditFiles() {
    }

    static String name(int number) {
        return String.format("audit-%06d.jsonl", number);
    }

    static int number(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(file + " is not an audit file");
        }
        return Integer.parseInt(m.group(1));
    }

    /** The audit files of {@code dir}, by number. */
    static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .sorted((a, b) -> Integer.compare(number(a), number(b))).toList();
        }
    }

    /** A file split at '\n': complete lines, and the bytes after the last newline (a torn line; empty normally). */
    record Content(List<byte[]> lines, byte[] torn) {
    }

    static Content read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == '\n') {
                lines.add(Arrays.copyOfRange(all, start, i));
                start = i + 1;
            }
        }
        return new Content(lines, Arrays.copyOfRange(all, start, all.length));
    }
}
