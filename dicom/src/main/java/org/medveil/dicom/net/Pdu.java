package org.medveil.dicom.net;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Upper layer PDUs (PS3.8 §9.3): reading with bounded lengths, and encoding. */
final class Pdu {
    private Pdu() {}

    static final int ASSOCIATE_RQ = 0x01;
    static final int ASSOCIATE_AC = 0x02;
    static final int ASSOCIATE_RJ = 0x03;
    static final int P_DATA_TF = 0x04;
    static final int RELEASE_RQ = 0x05;
    static final int RELEASE_RP = 0x06;
    static final int ABORT = 0x07;

    /** A PDU as read: type and body. */
    record Raw(int type, byte[] body) {}

    /** A presentation context proposed by the requestor. */
    record ProposedContext(int id, String abstractSyntax, List<String> transferSyntaxes) {}

    /** An A-ASSOCIATE-RQ. */
    record AssociateRq(String calledAe, String callingAe, String applicationContext,
                       List<ProposedContext> contexts, long peerMaxPdu, String implementationClassUid) {}

    /** Our answer for one context: result 0 acceptance, 3 abstract syntax not supported, 4 no transfer syntax. */
    record ContextResult(int id, int result, String transferSyntax) {}

    /** Reads one PDU; a body longer than {@code maxBody} is a protocol error (never allocated). */
    static Raw read(DataInputStream in, long maxBody) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed");
        }
        in.readUnsignedByte();
        long len = Integer.toUnsignedLong(in.readInt());
        if (len > maxBody) {
            throw new DicomNetworkException("PDU type " + type + " announces " + len + " bytes, more than the "
                    + maxBody + " we accept");
        }
        byte[] body = new byte[(int) len];
        in.readFully(body);
        return new Raw(type, body);
    }

    static AssociateRq parseAssociateRq(byte[] b) throws DicomNetworkException {
        ByteBuffer buf = ByteBuffer.wrap(b);
        need(buf, 68, "A-ASSOCIATE-RQ header");
        int version = buf.getShort() & 0xFFFF;
        if ((version & 1) == 0) {
            throw new DicomNetworkException("A-ASSOCIATE-RQ protocol version " + version + " not supported");
        }
        buf.getShort();
        String called = ae(buf);
        String calling = ae(buf);
        buf.position(buf.position() + 32);
        String appContext = null;
        List<ProposedContext> contexts = new ArrayList<>();
        long maxPdu = 0;
        String implClass = null;
        while (buf.hasRemaining()) {
            need(buf, 4, "A-ASSOCIATE-RQ item header");
            int itemType = buf.get() & 0xFF;
            buf.get();
            int len = buf.getShort() & 0xFFFF;
            need(buf, len, "A-ASSOCIATE-RQ item 0x" + Integer.toHexString(itemType));
            ByteBuffer item = buf.slice(buf.position(), len);
            buf.position(buf.position() + len);
            switch (itemType) {
                case 0x10 -> appContext = ascii(item, len);
                case 0x20 -> contexts.add(parseContext(item));
                case 0x50 -> {
                    while (item.hasRemaining()) {
                        need(item, 4, "user information sub-item");
                        int sub = item.get() & 0xFF;
                        item.get();
                        int sl = item.getShort() & 0xFFFF;
                        need(item, sl, "user information sub-item 0x" + Integer.toHexString(sub));
                        if (sub == 0x51 && sl == 4) {
                            maxPdu = Integer.toUnsignedLong(item.getInt());
                        } else if (sub == 0x52) {
                            implClass = ascii(item, sl);
                        } else {
                            item.position(item.position() + sl);
                        }
                    }
                }
                default -> { } // unknown items are ignored (PS3.8 §9.3.1)
            }
        }
        if (appContext == null) {
            throw new DicomNetworkException("A-ASSOCIATE-RQ has no application context");
        }
        return new AssociateRq(called, calling, appContext, contexts, maxPdu, implClass);
    }

    private static ProposedContext parseContext(ByteBuffer item) throws DicomNetworkException {
        need(item, 4, "presentation context");
        int id = item.get() & 0xFF;
        item.position(item.position() + 3);
        String abs = null;
        List<String> ts = new ArrayList<>();
        while (item.hasRemaining()) {
            need(item, 4, "presentation context sub-item");
            int sub = item.get() & 0xFF;
            item.get();
            int sl = item.getShort() & 0xFFFF;
            need(item, sl, "presentation context sub-item");
            String uid = ascii(item, sl);
            if (sub == 0x30) {
                abs = uid;
            } else if (sub == 0x40) {
                ts.add(uid);
            }
        }
        if (abs == null) {
            throw new DicomNetworkException("presentation context " + id + " has no abstract syntax");
        }
        return new ProposedContext(id, abs, ts);
    }

    private static void need(ByteBuffer b, int n, String what) throws DicomNetworkException {
        if (b.remaining() < n) {
            throw new DicomNetworkException("malformed " + what + ": needs " + n + " bytes, " + b.remaining() + " left");
        }
    }

    private static String ae(ByteBuffer b) {
        byte[] a = new byte[16];
        b.get(a);
        return new String(a, StandardCharsets.US_ASCII).strip();
    }

    private static String ascii(ByteBuffer b, int len) {
        byte[] a = new byte[len];
        b.get(a);
        return new String(a, StandardCharsets.US_ASCII).replace("\0", "").strip();
    }

    static byte[] associateAc(AssociateRq rq, List<ContextResult> results, int maxPdu, String implClassUid, String implVersion) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        short16(body, 1);
        short16(body, 0);
        body.writeBytes(padAe(rq.calledAe()));
        body.writeBytes(padAe(rq.callingAe()));
        body.writeBytes(new byte[32]);
        item(body, 0x10, rq.applicationContext().getBytes(StandardCharsets.US_ASCII));
        for (ContextResult r : results) {
            ByteArrayOutputStream pc = new ByteArrayOutputStream();
            pc.write(r.id());
            pc.write(0);
            pc.write(r.result());
            pc.write(0);
            item(pc, 0x40, r.transferSyntax().getBytes(StandardCharsets.US_ASCII));
            item(body, 0x21, pc.toByteArray());
        }
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        item(user, 0x51, ByteBuffer.allocate(4).putInt(maxPdu).array());
        item(user, 0x52, implClassUid.getBytes(StandardCharsets.US_ASCII));
        item(user, 0x55, implVersion.getBytes(StandardCharsets.US_ASCII));
        item(body, 0x50, user.toByteArray());
        return pdu(ASSOCIATE_AC, body.toByteArray());
    }

    /** A-ASSOCIATE-RJ: result 1 permanent / 2 transient; source 1 user, 2 ACSE provider, 3 presentation provider. */
    static byte[] associateRj(int result, int source, int reason) {
        return pdu(ASSOCIATE_RJ, new byte[] {0, (byte) result, (byte) source, (byte) reason});
    }

    static byte[] releaseRp() { return pdu(RELEASE_RP, new byte[4]); }

    /** A-ABORT: source 0 service user, 2 service provider; reason (provider) 0 unspecified, 1 unrecognized PDU, 2 unexpected PDU, 6 invalid parameter. */
    static byte[] abort(int source, int reason) {
        return pdu(ABORT, new byte[] {0, 0, (byte) source, (byte) reason});
    }

    static byte[] pdu(int type, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(6 + body.length);
        b.put((byte) type).put((byte) 0).putInt(body.length).put(body);
        return b.array();
    }

    private static byte[] padAe(String ae) {
        byte[] out = new byte[16];
        java.util.Arrays.fill(out, (byte) ' ');
        byte[] a = ae.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(a, 0, out, 0, Math.min(16, a.length));
        return out;
    }

    private static void item(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(0);
        short16(out, value.length);
        out.writeBytes(value);
    }

    private static void short16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    /** Writes P-DATA-TF PDUs carrying {@code data} as PDV fragments no larger than the peer allows. */
    static void writePData(OutputStream out, int contextId, boolean command, byte[] data, long peerMaxPdu) throws IOException {
        long max = peerMaxPdu == 0 ? 1 << 20 : peerMaxPdu;
        int maxFragment = (int) Math.max(64, Math.min(max, 1 << 20) - 6);
        int off = 0;
        do {
            int n = Math.min(maxFragment, data.length - off);
            boolean last = off + n == data.length;
            ByteBuffer b = ByteBuffer.allocate(6 + 4 + 2 + n);
            b.put((byte) P_DATA_TF).put((byte) 0).putInt(4 + 2 + n);
            b.putInt(2 + n).put((byte) contextId).put((byte) ((command ? 1 : 0) | (last ? 2 : 0)));
            b.put(data, off, n);
            out.write(b.array());
            off += n;
        } while (off < data.length);
        out.flush();
    }

    static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection closed");
        }
        return b;
    }
}
