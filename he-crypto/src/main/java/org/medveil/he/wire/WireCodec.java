package org.medveil.he.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;
import org.medveil.he.WireFormatException;
import org.medveil.he.multiparty.CollectiveKeyGenerator;
import org.medveil.he.multiparty.DecryptionShare;
import org.medveil.he.multiparty.KeyShare;
import org.medveil.he.multiparty.PublicKeyShare;
import org.medveil.he.ring.Poly;
import org.medveil.he.ring.Ring;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.KeyId;
import org.medveil.he.rlwe.PublicKey;

/**
 * Versioned, self-describing binary encoding of everything that crosses a process boundary.
 *
 * <pre>
 * offset size  field
 * 0      4     magic "MVHE"
 * 4      1     format version (1)
 * 5      1     kind (1 ciphertext, 2 public-key share, 3 public key, 4 decryption share, 5 secret key share)
 * 6      1     log2 N
 * 7      1     number of primes L
 * 8      16    parameter fingerprint
 * 24     16    key id (zero where not applicable)
 * 40     ..    kind-specific fields (big-endian; strings as u16 length + UTF-8)
 * ..     ..    polynomials: for each, for each prime i, N residues packed at bitlength(q_i) bits
 * end-4  4     CRC32C of all preceding bytes
 * </pre>
 *
 * At the default set a ciphertext is 40 + 20 + 2·2·4096·54/8 + 4 = 110 656 bytes for 4096
 * values: 27.02 bytes per value. Decoding rejects, with a message naming the problem: short or
 * long input, unknown magic/version/kind, another parameter set, a checksum mismatch, and any
 * residue ≥ its prime.
 */
public final class WireCodec {

    public static final int VERSION = 1;
    public static final byte KIND_CIPHERTEXT = 1;
    public static final byte KIND_PUBLIC_KEY_SHARE = 2;
    public static final byte KIND_PUBLIC_KEY = 3;
    public static final byte KIND_DECRYPTION_SHARE = 4;
    public static final byte KIND_SECRET_KEY_SHARE = 5;

    private static final byte[] MAGIC = {'M', 'V', 'H', 'E'};
    static final int HEADER = 40;
    static final int TRAILER = 4;
    private static final byte[] NO_KEY = new byte[16];

    private final HeContext context;
    private final Ring ring;
    final int polyBytes;

    public WireCodec(HeContext context) {
        this.context = context;
        this.ring = context.ring();
        int total = 0;
        for (int i = 0; i < ring.primes(); i++) {
            total += BitPacking.packedBytes(ring.degree(), ring.modulus(i).bits());
        }
        this.polyBytes = total;
    }

    /** Encoded size of one ciphertext. */
    public int ciphertextBytes() {
        return HEADER + 20 + 2 * polyBytes + TRAILER;
    }

    // ---------------------------------------------------------------- ciphertext

    public byte[] encodeCiphertext(Ciphertext ct) {
        context.requireSameParams(ct.paramsFingerprint(), "ciphertext chunk " + ct.chunk());
        byte[] out = new byte[ciphertextBytes()];
        ByteBuffer b = header(out, KIND_CIPHERTEXT, ct.keyId().bytes());
        b.putInt(ct.chunk()).putInt(ct.valueCount()).putInt(ct.contributions()).putDouble(ct.bound());
        int p = b.position();
        p = packPoly(ct.c0(), out, p);
        p = packPoly(ct.c1(), out, p);
        trailer(out, p);
        return out;
    }

    public Ciphertext decodeCiphertext(byte[] in) {
        Reader r = open(in, KIND_CIPHERTEXT, "ciphertext");
        KeyId keyId = r.keyId();
        r.need(20, "ciphertext header");
        int chunk = r.b.getInt();
        int valueCount = r.b.getInt();
        int contributions = r.b.getInt();
        double bound = r.b.getDouble();
        if (chunk < 0 || valueCount < 0 || valueCount > ring.degree() || contributions < 1
                || !(bound > 0) || bound > context.params().maxSum()) {
            throw new WireFormatException("ciphertext header out of range (chunk " + chunk + ", values " + valueCount
                    + ", contributions " + contributions + ", bound " + bound + "); the sender is faulty");
        }
        Poly c0 = r.poly("c0");
        Poly c1 = r.poly("c1");
        r.finish();
        return new Ciphertext(context.fingerprint(), keyId, chunk, valueCount, bound, contributions, c0, c1);
    }

    // ---------------------------------------------------------------- decryption share

    public byte[] encodeDecryptionShare(DecryptionShare s) {
        context.requireSameParams(s.paramsFingerprint(), "decryption share of party " + s.partyId());
        byte[] party = utf8(s.partyId());
        byte[] out = new byte[HEADER + 2 + party.length + 32 + polyBytes + TRAILER];
        ByteBuffer b = header(out, KIND_DECRYPTION_SHARE, s.keyId().bytes());
        b.putShort((short) party.length).put(party).put(HexFormat.of().parseHex(s.requestDigest()));
        trailer(out, packPoly(s.h(), out, b.position()));
        return out;
    }

    public DecryptionShare decodeDecryptionShare(byte[] in) {
        Reader r = open(in, KIND_DECRYPTION_SHARE, "decryption share");
        KeyId keyId = r.keyId();
        String party = r.string("party id");
        String digest = r.hex32();
        Poly h = r.poly("h");
        r.finish();
        return new DecryptionShare(party, context.fingerprint(), keyId, digest, h);
    }

    // ---------------------------------------------------------------- public-key share

    public byte[] encodePublicKeyShare(PublicKeyShare s) {
        context.requireSameParams(s.paramsFingerprint(), "public-key share of party " + s.partyId());
        byte[] party = utf8(s.partyId());
        byte[] out = new byte[HEADER + 2 + party.length + 32 + polyBytes + TRAILER];
        ByteBuffer b = header(out, KIND_PUBLIC_KEY_SHARE, NO_KEY);
        b.putShort((short) party.length).put(party).put(HexFormat.of().parseHex(s.crpDigest()));
        trailer(out, packPoly(s.p(), out, b.position()));
        return out;
    }

    public PublicKeyShare decodePublicKeyShare(byte[] in) {
        Reader r = open(in, KIND_PUBLIC_KEY_SHARE, "public-key share");
        r.keyId();
        String party = r.string("party id");
        String crp = r.hex32();
        Poly p = r.poly("p");
        r.finish();
        return new PublicKeyShare(party, context.fingerprint(), crp, p);
    }

    // ---------------------------------------------------------------- public key

    public byte[] encodePublicKey(PublicKey k) {
        context.requireSameParams(k.paramsFingerprint(), "public key " + k.keyId());
        List<byte[]> parties = new ArrayList<>();
        int partyBytes = 0;
        for (String p : k.parties()) {
            byte[] u = utf8(p);
            parties.add(u);
            partyBytes += 2 + u.length;
        }
        byte[] out = new byte[HEADER + 32 + 2 + partyBytes + 2 * polyBytes + TRAILER];
        ByteBuffer b = header(out, KIND_PUBLIC_KEY, k.keyId().bytes());
        b.put(HexFormat.of().parseHex(k.crpDigest())).putShort((short) parties.size());
        for (byte[] u : parties) {
            b.putShort((short) u.length).put(u);
        }
        int p = packPoly(k.p0(), out, b.position());
        trailer(out, packPoly(k.p1(), out, p));
        return out;
    }

    public PublicKey decodePublicKey(byte[] in) {
        Reader r = open(in, KIND_PUBLIC_KEY, "public key");
        KeyId keyId = r.keyId();
        String crp = r.hex32();
        r.need(2, "party count");
        int count = Short.toUnsignedInt(r.b.getShort());
        List<String> parties = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            parties.add(r.string("party id"));
        }
        Poly p0 = r.poly("p0");
        Poly p1 = r.poly("p1");
        r.finish();
        KeyId recomputed = CollectiveKeyGenerator.keyIdOf(context.fingerprint(), crp, parties, p0, p1);
        if (!recomputed.equals(keyId)) {
            throw new WireFormatException("public key names key id " + keyId + " but its content hashes to "
                    + recomputed + "; the key was altered — fetch it again from the coordinator");
        }
        return new PublicKey(context.fingerprint(), keyId, parties, crp, p0, p1);
    }

    // ---------------------------------------------------------------- secret key share (store encrypted!)

    public byte[] encodeKeyShare(KeyShare s) {
        context.requireSameParams(s.paramsFingerprint(), "key share of party " + s.partyId());
        byte[] party = utf8(s.partyId());
        long[] c = s.coefficients();
        byte[] out = new byte[HEADER + 2 + party.length + BitPacking.packedBytes(c.length, 2) + TRAILER];
        ByteBuffer b = header(out, KIND_SECRET_KEY_SHARE, NO_KEY);
        b.putShort((short) party.length).put(party);
        for (int j = 0; j < c.length; j++) {
            c[j] += 1; // {-1,0,1} -> {0,1,2}
        }
        trailer(out, BitPacking.pack(c, c.length, 2, out, b.position()));
        return out;
    }

    public KeyShare decodeKeyShare(byte[] in) {
        Reader r = open(in, KIND_SECRET_KEY_SHARE, "key share");
        r.keyId();
        String party = r.string("party id");
        long[] c = new long[ring.degree()];
        int bytes = BitPacking.packedBytes(c.length, 2);
        r.need(bytes, "ternary coefficients");
        int bad = BitPacking.unpack(in, r.b.position(), c.length, 2, c, 3);
        r.b.position(r.b.position() + bytes);
        r.finish();
        if (bad >= 0) {
            throw new WireFormatException("key share coefficient " + bad + " is not ternary; the stored share is corrupt");
        }
        for (int j = 0; j < c.length; j++) {
            c[j] -= 1;
        }
        return new KeyShare(context, party, c);
    }

    // ---------------------------------------------------------------- internals

    ByteBuffer header(byte[] out, byte kind, byte[] keyId) {
        ByteBuffer b = ByteBuffer.wrap(out);
        b.put(MAGIC).put((byte) VERSION).put(kind).put((byte) context.params().logN()).put((byte) ring.primes());
        b.put(HexFormat.of().parseHex(context.fingerprint())).put(keyId);
        return b;
    }

    int packPoly(Poly p, byte[] out, int offset) {
        int o = offset;
        for (int i = 0; i < ring.primes(); i++) {
            o = BitPacking.pack(p.at(i), ring.degree(), ring.modulus(i).bits(), out, o);
        }
        return o;
    }

    static void trailer(byte[] out, int end) {
        if (end != out.length - TRAILER) {
            throw new IllegalStateException("wire size mismatch: wrote " + end + " of " + (out.length - TRAILER));
        }
        CRC32C crc = new CRC32C();
        crc.update(out, 0, end);
        ByteBuffer.wrap(out, end, TRAILER).putInt((int) crc.getValue());
    }

    static byte[] utf8(String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        if (u.length > 0xFFFF) {
            throw new IllegalArgumentException("party id longer than 65535 bytes");
        }
        return u;
    }

    Reader open(byte[] in, byte kind, String what) {
        if (in.length < HEADER + TRAILER) {
            throw new WireFormatException(what + " is truncated: " + in.length + " bytes, shorter than the "
                    + (HEADER + TRAILER) + "-byte header and checksum; the transfer was cut off — resend it");
        }
        ByteBuffer b = ByteBuffer.wrap(in, 0, in.length - TRAILER);
        byte[] magic = new byte[4];
        b.get(magic);
        if (magic[0] != MAGIC[0] || magic[1] != MAGIC[1] || magic[2] != MAGIC[2] || magic[3] != MAGIC[3]) {
            throw new WireFormatException(what + " does not start with the MVHE magic; these bytes are not MedVeil HE data");
        }
        int version = Byte.toUnsignedInt(b.get());
        if (version != VERSION) {
            throw new WireFormatException(what + " uses wire format version " + version + ", this build reads version "
                    + VERSION + "; upgrade the older party");
        }
        byte actualKind = b.get();
        if (actualKind != kind) {
            throw new WireFormatException("expected a " + what + " (kind " + kind + ") but got kind " + actualKind);
        }
        int logN = Byte.toUnsignedInt(b.get());
        int primes = Byte.toUnsignedInt(b.get());
        byte[] fp = new byte[16];
        b.get(fp);
        String fingerprint = HexFormat.of().formatHex(fp);
        if (!fingerprint.equals(context.fingerprint()) || logN != context.params().logN() || primes != ring.primes()) {
            throw new WireFormatException(what + " was made under parameter fingerprint " + fingerprint + " (N=2^" + logN
                    + ", " + primes + " primes), but this party uses " + context.params().name() + " ("
                    + context.fingerprint() + "); every party must use the job's parameter set");
        }
        CRC32C crc = new CRC32C();
        crc.update(in, 0, in.length - TRAILER);
        int expected = ByteBuffer.wrap(in, in.length - TRAILER, TRAILER).getInt();
        return new Reader(b, in, what, (int) crc.getValue() == expected);
    }

    final class Reader {
        final ByteBuffer b;
        final byte[] in;
        final String what;
        final boolean crcOk;
        final List<Runnable> deferredChecks = new ArrayList<>();

        Reader(ByteBuffer b, byte[] in, String what, boolean crcOk) {
            this.b = b;
            this.in = in;
            this.what = what;
            this.crcOk = crcOk;
        }

        void need(int bytes, String field) {
            if (b.remaining() < bytes) {
                throw new WireFormatException(what + " is truncated in its " + field + ": needs " + bytes
                        + " more bytes, has " + b.remaining() + "; the transfer was cut off — resend it");
            }
        }

        KeyId keyId() { // the fixed 40-byte header is guaranteed by open()
            byte[] k = new byte[16];
            b.get(k);
            return KeyId.of(k);
        }

        String string(String field) {
            need(2, field);
            int len = Short.toUnsignedInt(b.getShort());
            need(len, field);
            byte[] u = new byte[len];
            b.get(u);
            return new String(u, StandardCharsets.UTF_8);
        }

        String hex32() {
            need(32, "digest");
            byte[] d = new byte[32];
            b.get(d);
            return HexFormat.of().formatHex(d);
        }

        Poly poly(String name) {
            need(polyBytes, "polynomial " + name);
            Poly p = ring.newPoly();
            int o = b.position();
            for (int i = 0; i < ring.primes(); i++) {
                int bits = ring.modulus(i).bits();
                int bad = BitPacking.unpack(in, o, ring.degree(), bits, p.at(i), ring.modulus(i).value());
                if (bad >= 0) {
                    int prime = i;
                    deferredChecks.add(() -> {
                        throw new WireFormatException(what + " polynomial " + name + " has residue " + bad + " mod prime "
                                + prime + " out of range (≥ q); the sender is faulty or the data was forged");
                    });
                }
                o += BitPacking.packedBytes(ring.degree(), bits);
            }
            b.position(o);
            return p;
        }

        void finish() {
            if (b.remaining() != 0) {
                throw new WireFormatException(what + " has " + b.remaining() + " unexpected trailing bytes before its"
                        + " checksum; the data was corrupted or concatenated");
            }
            if (!crcOk) {
                throw new WireFormatException(what + " fails its CRC32C checksum; the data was corrupted in transit"
                        + " or storage — resend it");
            }
            deferredChecks.forEach(Runnable::run);
        }
    }
}
