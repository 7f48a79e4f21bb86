package org.medveil.coordinator.strategy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.TreeMap;

/**
 * The saved form of a server strategy: magic {@code MVSS}, format version 1, name, parameters
 * (sorted), then the strategy's vectors as a length and big-endian float32 values. Values are
 * written bit for bit, so a restored strategy continues identically.
 */
final class StateCodec {

    static final int MAGIC = 0x4d565353; // "MVSS"
    static final int VERSION = 1;

    private StateCodec() {
    }

    static void writeHeader(OutputStream raw, String name, Map<String, Double> params) throws IOException {
        DataOutputStream out = new DataOutputStream(raw);
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeUTF(name);
        TreeMap<String, Double> sorted = new TreeMap<>(params);
        out.writeInt(sorted.size());
        for (Map.Entry<String, Double> e : sorted.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeDouble(e.getValue());
        }
        out.flush();
    }

    static void writeVector(OutputStream raw, float[] values) throws IOException {
        DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(raw, 1 << 16));
        out.writeInt(values.length);
        for (float f : values) {
            out.writeFloat(f);
        }
        out.flush();
    }

    record Header(String name, Map<String, Double> params) {
    }

    static Header readHeader(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a MedVeil server strategy state");
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new IOException("server strategy state format " + version + " is not supported by this build (knows "
                    + VERSION + ")");
        }
        String name = in.readUTF();
        int n = in.readInt();
        if (n < 0 || n > 64) {
            throw new IOException("server strategy state is damaged: " + n + " parameters");
        }
        Map<String, Double> params = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            params.put(in.readUTF(), in.readDouble());
        }
        return new Header(name, params);
    }

    static float[] readVector(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("server strategy state is damaged: vector length " + n);
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = in.readFloat();
        }
        return out;
    }

    static DataInputStream data(InputStream in) {
        return new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
    }

}
