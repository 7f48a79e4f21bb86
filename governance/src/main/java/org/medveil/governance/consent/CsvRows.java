package org.medveil.governance.consent;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal strict RFC 4180 reader: comma-separated fields, double-quoted fields that may hold
 * commas, quotes ({@code ""}) and line breaks, CRLF or LF line ends. Written here rather than
 * taken from a CSV library because its errors must never quote a cell (a patient ID), and
 * library parsers put the offending text into their messages.
 */
final class CsvRows {

    /** One record and the line it starts on (1-based). */
    record Row(int line, List<String> fields) {
    }

    private final Reader in;
    private final String name;
    private int line = 1;
    private int pushback = -2;

    CsvRows(Reader in, String name) {
        this.in = in;
        this.name = name;
    }

    /** The line the reader is on, for error messages. */
    int line() {
        return line;
    }

    /** The next non-empty record, or {@code null} at the end of the input. */
    Row next() throws IOException {
        while (true) {
            int c = read();
            if (c == -1) {
                return null;
            }
            if (c == '\n') {
                line++;
                continue;
            }
            if (c == '\r') {
                expectLf();
                continue;
            }
            unread(c);
            return record();
        }
    }

    private Row record() throws IOException {
        int start = line;
        List<String> fields = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        boolean afterQuote = false; // a quoted field ended; only a separator may follow
        boolean fieldStart = true;
        while (true) {
            int c = read();
            if (quoted) {
                if (c == -1) {
                    throw new ConsentImportException(name + ":" + start + ": a quoted field is not closed;"
                            + " end it with a double quote");
                }
                if (c == '"') {
                    int d = read();
                    if (d == '"') {
                        f.append('"');
                    } else {
                        unread(d);
                        quoted = false;
                        afterQuote = true;
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    f.append((char) c);
                }
                continue;
            }
            if (c == ',' || c == '\n' || c == '\r' || c == -1) {
                fields.add(f.toString());
                f.setLength(0);
                afterQuote = false;
                fieldStart = true;
                if (c == ',') {
                    continue;
                }
                if (c == '\r') {
                    expectLf();
                } else if (c == '\n') {
                    line++;
                }
                return new Row(start, fields);
            }
            if (afterQuote) {
                throw new ConsentImportException(name + ":" + line + ": text after a closing double quote;"
                        + " quote the whole field and write a quote inside it as \"\"");
            }
            if (c == '"') {
                if (!fieldStart) {
                    throw new ConsentImportException(name + ":" + line + ": a double quote inside an unquoted field;"
                            + " quote the whole field and write a quote inside it as \"\"");
                }
                quoted = true;
            } else {
                f.append((char) c);
            }
            fieldStart = false;
        }
    }

    private void expectLf() throws IOException {
        int d = read();
        if (d != '\n') {
            unread(d);
        }
        line++;
    }

    private int read() throws IOException {
        if (pushback != -2) {
            int c = pushback;
            pushback = -2;
            return c;
        }
        return in.read();
    }

    private void unread(int c) {
        pushback = c;
    }
}
