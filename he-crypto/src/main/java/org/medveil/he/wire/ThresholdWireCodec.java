package org.medveil.he.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.medveil.he.WireFormatException;
import org.medveil.he.ring.Poly;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.KeyId;
import org.medveil.he.threshold.ShamirShare;
import org.medveil.he.threshold.Threshold;
import org.medveil.he.threshold.ThresholdDecryptionShare;
import org.medveil.he.threshold.ThresholdKeyShare;

/**
 * Wire encoding of the t-of-N objects, in the {@link WireCodec} frame (magic, version, kind,
 * parameter fingerprint, key id, fields, bit-packed polynomials, CRC32C) with kinds 16–18:
 * 16 a Shamir share (sealed before it leaves the dealer), 17 a threshold key share (secret:
 * store encrypted), 18 a threshold decryption share.
 */
public final class ThresholdWireCodec {

    public static final byte KIND_SHAMIR_SHARE = 16;
    public static final byte KIND_THRESHOLD_KEY_SHARE = 17;
    public static final byte KIND_THRESHOLD_DECRYPTION_SHARE = 18;

    private final HeContext context;
    private final WireCodec frame;

    public ThresholdWireCodec(HeContext context) {
        this.context = context;
        this.frame = new WireCodec(context);
    }

    // ---------------------------------------------------------------- Shamir share

    public byte[] encodeShamirShare(ShamirShare s) {
        context.requireSameParams(s.paramsFingerprint(), "Shamir share from " + s.dealer());
        byte[] dealer = WireCodec.utf8(s.dealer());
        byte[] recipient = WireCodec.utf8(s.recipient());
        byte[] out = new byte[WireCodec.HEADER + 2 + dealer.length + 2 + recipient.length + 4 + frame.polyBytes
                + WireCodec.TRAILER];
        ByteBuffer b = frame.header(out, KIND_SHAMIR_SHARE, s.keyId().bytes());
        b.putShort((short) dealer.length).put(dealer).putShort((short) recipient.length).put(recipient).putInt(s.t());
        WireCodec.trailer(out, frame.packPoly(s.value(), out, b.position()));
        return out;
    }

    public ShamirShare decodeShamirShare(byte[] in) {
        WireCodec.Reader r = frame.open(in, KIND_SHAMIR_SHARE, "Shamir share");
        KeyId keyId = r.keyId();
        String dealer = r.string("dealer");
        String recipient = r.string("recipient");
        r.need(4, "threshold");
        int t = r.b.getInt();
        Poly value = r.poly("share");
        r.finish();
        return new ShamirShare(dealer, recipient, context.fingerprint(), keyId, t, value);
    }

    // ---------------------------------------------------------------- threshold key share (store encrypted!)

    public byte[] encodeThresholdKeyShare(ThresholdKeyShare s) {
        context.requireSameParams(s.paramsFingerprint(), "threshold key share of party " + s.partyId());
        byte[] party = WireCodec.utf8(s.partyId());
        List<byte[]> parties = new ArrayList<>();
        int partyBytes = 0;
        for (String p : s.threshold().parties()) {
            byte[] u = WireCodec.utf8(p);
            parties.add(u);
            partyBytes += 2 + u.length;
        }
        byte[] out = new byte[WireCodec.HEADER + 2 + party.length + 4 + 4 + partyBytes + frame.polyBytes
                + WireCodec.TRAILER];
        ByteBuffer b = frame.header(out, KIND_THRESHOLD_KEY_SHARE, s.threshold().keyId().bytes());
        b.putShort((short) party.length).put(party).putInt(s.threshold().t()).putInt(parties.size());
        for (byte[] u : parties) {
            b.putShort((short) u.length).put(u);
        }
        WireCodec.trailer(out, frame.packPoly(s.value(), out, b.position()));
        return out;
    }

    public ThresholdKeyShare decodeThresholdKeyShare(byte[] in) {
        WireCodec.Reader r = frame.open(in, KIND_THRESHOLD_KEY_SHARE, "threshold key share");
        KeyId keyId = r.keyId();
        String party = r.string("party id");
        r.need(8, "threshold");
        int t = r.b.getInt();
        int count = r.b.getInt();
        if (count < 1 || count > Threshold.MAX_PARTIES || t < 1 || t > count) {
            throw new WireFormatException("threshold key share declares t = " + t + " of " + count
                    + " holders, which is out of range; the stored share is corrupt");
        }
        List<String> parties = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            parties.add(r.string("party id"));
        }
        Poly sigma = r.poly("sigma");
        r.finish();
        return new ThresholdKeyShare(context, party, new Threshold(keyId, t, parties), sigma);
    }

    // ---------------------------------------------------------------- threshold decryption share

    public byte[] encodeDecryptionShare(ThresholdDecryptionShare s) {
        context.requireSameParams(s.paramsFingerprint(), "decryption share of party " + s.partyId());
        byte[] party = WireCodec.utf8(s.partyId());
        byte[] out = new byte[WireCodec.HEADER + 2 + party.length + 64 + frame.polyBytes + WireCodec.TRAILER];
        ByteBuffer b = frame.header(out, KIND_THRESHOLD_DECRYPTION_SHARE, s.keyId().bytes());
        b.putShort((short) party.length).put(party).put(HexFormat.of().parseHex(s.requestDigest()))
                .put(HexFormat.of().parseHex(s.activeSetDigest()));
        WireCodec.trailer(out, frame.packPoly(s.h(), out, b.position()));
        return out;
    }

    public ThresholdDecryptionShare decodeDecryptionShare(byte[] in) {
        WireCodec.Reader r = frame.open(in, KIND_THRESHOLD_DECRYPTION_SHARE, "threshold decryption share");
        KeyId keyId = r.keyId();
        String party = r.string("party id");
        String request = r.hex32();
        String activeSet = r.hex32();
        Poly h = r.poly("h");
        r.finish();
        return new ThresholdDecryptionShare(party, context.fingerprint(), keyId, request, activeSet, h);
    }
}
