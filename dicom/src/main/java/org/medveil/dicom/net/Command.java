package org.medveil.dicom.net;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/** A DIMSE command set (PS3.7 §9.3, §E): group 0000 elements, always implicit VR little endian. */
final class Command {
    static final int AFFECTED_SOP_CLASS = 0x00000002;
    static final int COMMAND_FIELD = 0x00000100;
    static final int MESSAGE_ID = 0x00000110;
    static final int MESSAGE_ID_RESPONDED = 0x00000120;
    static final int PRIORITY = 0x00000700;
    static final int DATA_SET_TYPE = 0x00000800;
    static final int STATUS = 0x00000900;
    static final int ERROR_COMMENT = 0x00000902;
    static final int AFFECTED_SOP_INSTANCE = 0x00001000;

    static final int C_STORE_RQ = 0x0001;
    static final int C_STORE_RSP = 0x8001;
    static final int C_ECHO_RQ = 0x0030;
    static final int C_ECHO_RSP = 0x8030;
    static final int NO_DATA_SET = 0x0101;

    private final Map<Integer, byte[]> elements = new TreeMap<>(Integer::compareUnsigned);

    static Command parse(byte[] b) throws DicomNetworkException {
        Command c = new Command();
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            if (buf.remaining() < 8) {
                throw new DicomNetworkException("command set truncated at byte " + buf.position());
            }
            int tag = (buf.getShort() & 0xFFFF) << 16 | (buf.getShort() & 0xFFFF);
            long len = Integer.toUnsignedLong(buf.getInt());
            if ((tag >>> 16) != 0) {
                throw new DicomNetworkException(String.format("command set holds a non-command element (%04x,%04x)", tag >>> 16, tag & 0xFFFF));
            }
            if (len > buf.remaining()) {
                throw new DicomNetworkException(String.format("command element (0000,%04x) length %d exceeds the command set", tag & 0xFFFF, len));
            }
            byte[] v = new byte[(int) len];
            buf.get(v);
            c.elements.put(tag, v);
        }
        return c;
    }

    int us(int tag, int fallback) {
        byte[] v = elements.get(tag);
        return v == null || v.length < 2 ? fallback : (v[0] & 0xFF) | (v[1] & 0xFF) << 8;
    }

    String ui(int tag) {
        byte[] v = elements.get(tag);
        return v == null ? null : new String(v, StandardCharsets.US_ASCII).replace("\0", "").strip();
    }

    Command putUs(int tag, int value) {
        elements.put(tag, new byte[] {(byte) value, (byte) (value >>> 8)});
        return this;
    }

    Command putString(int tag, String value, int pad) {
        byte[] b = value.getBytes(StandardCharsets.US_ASCII);
        if ((b.length & 1) == 1) {
            b = java.util.Arrays.copyOf(b, b.length + 1);
            b[b.length - 1] = (byte) pad;
        }
        elements.put(tag, b);
        return this;
    }

    byte[] encode() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<Integer, byte[]> e : elements.entrySet()) {
            if (e.getKey() == 0) {
                continue;
            }
            writeElement(body, e.getKey(), e.getValue());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer len = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(body.size());
        writeElement(out, 0, len.array());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static void writeElement(ByteArrayOutputStream out, int tag, byte[] v) {
        ByteBuffer h = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        h.putShort((short) (tag >>> 16)).putShort((short) tag).putInt(v.length);
        out.writeBytes(h.array());
        out.writeBytes(v);
    }
}
