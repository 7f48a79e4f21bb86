package org.medveil.he.verify;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.medveil.he.ring.Poly;
import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.Digests;
import org.medveil.he.rlwe.HeContext;
import org.medveil.he.rlwe.KeyId;

/**
 * The digest a site signs for a ciphertext: a SHA-256 Merkle tree whose leaves are blocks of
 * {@link #BLOCK} coefficient positions (c0 and c1, every RNS residue), topped by a hash that also
 * covers the header fields that matter: parameter fingerprint, key id, chunk, value count,
 * bound. The contribution count is left out on purpose: the signed list decides it.
 *
 * <p>Why 8 positions per leaf: what a holder downloads per checked block and contribution is
 * {@code 8·B·2L + 32·log2(N/B)} bytes; B = 8 is within 30% of the minimum (B = 1 or 2) at N = 4096
 * and 8192, while the tree has N/8 leaves, so building it costs about one SHA-256 pass over the
 * ciphertext plus 1/8 for the inner nodes. Larger blocks cover more coefficients per check but
 * cost proportionally more bytes.
 *
 * <p>Hashes: leaf = H(0x00 ‖ u32 block ‖ residues as little-endian u64), node = H(0x01 ‖ left ‖
 * right), root = H(0x02 ‖ domain ‖ fingerprint ‖ key id ‖ u32 logN, L, B, chunk, value count ‖
 * u64 bound bits ‖ tree root). Distinct prefixes keep leaves, nodes and roots apart.
 */
public final class CiphertextTree {

    /** Coefficient positions per leaf. */
    public static final int BLOCK = 8;

    private static final byte LEAF = 0;
    private static final byte NODE = 1;
    private static final byte ROOT = 2;
    private static final byte[] DOMAIN = "medveil-he/contribution-digest/v1".getBytes(StandardCharsets.US_ASCII);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final Ciphertext ct;
    private final int primes;
    private final int blocks;
    private final byte[][] nodes; // heap layout: nodes[1] = tree root, leaves at [blocks, 2·blocks)
    private final byte[] root;

    private CiphertextTree(HeContext context, Ciphertext ct) {
        context.requireSameParams(ct.paramsFingerprint(), "ciphertext chunk " + ct.chunk());
        this.ct = ct;
        this.primes = ct.c0().primes();
        this.blocks = blocks(context);
        this.nodes = new byte[2 * blocks][];
        MessageDigest md = Digests.sha256();
        byte[] buf = new byte[5 + 8 * residuesPerBlock(primes)];
        long[] residues = new long[residuesPerBlock(primes)];
        for (int b = 0; b < blocks; b++) {
            gather(ct, b, residues);
            nodes[blocks + b] = leafHash(md, buf, b, residues);
        }
        for (int i = blocks - 1; i >= 1; i--) {
            nodes[i] = nodeHash(md, nodes[2 * i], nodes[2 * i + 1]);
        }
        this.root = rootHash(md, context, ct.keyId(), ct.chunk(), ct.valueCount(), ct.bound(), nodes[1]);
    }

    /** Builds the tree of a ciphertext (about one SHA-256 pass over it). */
    public static CiphertextTree of(HeContext context, Ciphertext ct) {
        return new CiphertextTree(context, ct);
    }

    /** Number of blocks (leaves) per ciphertext: N / BLOCK. */
    public static int blocks(HeContext context) {
        return context.n() / BLOCK;
    }

    static int residuesPerBlock(int primes) {
        return 2 * primes * BLOCK;
    }

    /** The 32-byte digest a site signs. */
    public byte[] root() {
        return root.clone();
    }

    public String rootHex() {
        return HexFormat.of().formatHex(root);
    }

    public Ciphertext ciphertext() {
        return ct;
    }

    /** Opens one block: its residues and the path to the root. */
    public BlockOpening open(int block) {
        if (block < 0 || block >= blocks) {
            throw new IllegalArgumentException("block " + block + " is outside 0.." + (blocks - 1));
        }
        long[] residues = new long[residuesPerBlock(primes)];
        gather(ct, block, residues);
        int depth = Integer.numberOfTrailingZeros(blocks);
        byte[][] siblings = new byte[depth][];
        int idx = blocks + block;
        for (int level = 0; level < depth; level++) {
            siblings[level] = nodes[idx ^ 1];
            idx >>>= 1;
        }
        return new BlockOpening(block, residues, siblings);
    }

    /**
     * The root a block opening leads to, given the header fields the opener claims; the caller
     * compares it with the signed digest. Throws IllegalArgumentException when the opening has
     * the wrong shape.
     */
    static byte[] rootOf(HeContext context, KeyId keyId, int chunk, int valueCount, double bound, BlockOpening o,
                         MessageDigest md) {
        int blocks = blocks(context);
        int primes = context.ring().primes();
        if (o.block() < 0 || o.block() >= blocks || o.residueCount() != residuesPerBlock(primes)
                || o.depth() != Integer.numberOfTrailingZeros(blocks)) {
            throw new IllegalArgumentException("block opening has the wrong shape");
        }
        long[] residues = o.residues();
        byte[] h = leafHash(md, new byte[5 + 8 * residues.length], o.block(), residues);
        int idx = blocks + o.block();
        for (int level = 0; level < o.depth(); level++) {
            byte[] sibling = o.sibling(level);
            if (sibling.length != 32) {
                throw new IllegalArgumentException("Merkle sibling of 32 bytes expected");
            }
            h = (idx & 1) == 0 ? nodeHash(md, h, sibling) : nodeHash(md, sibling, h);
            idx >>>= 1;
        }
        return rootHash(md, context, keyId, chunk, valueCount, bound, h);
    }

    private static void gather(Ciphertext ct, int block, long[] out) {
        int primes = ct.c0().primes();
        int from = block * BLOCK;
        Poly[] polys = {ct.c0(), ct.c1()};
        for (int p = 0; p < 2; p++) {
            for (int l = 0; l < primes; l++) {
                System.arraycopy(polys[p].at(l), from, out, (p * primes + l) * BLOCK, BLOCK);
            }
        }
    }

    private static byte[] leafHash(MessageDigest md, byte[] buf, int block, long[] residues) {
        buf[0] = LEAF;
        buf[1] = (byte) (block >>> 24);
        buf[2] = (byte) (block >>> 16);
        buf[3] = (byte) (block >>> 8);
        buf[4] = (byte) block;
        for (int i = 0; i < residues.length; i++) {
            LONGS.set(buf, 5 + 8 * i, residues[i]);
        }
        md.reset();
        md.update(buf, 0, 5 + 8 * residues.length);
        return md.digest();
    }

    private static byte[] nodeHash(MessageDigest md, byte[] left, byte[] right) {
        md.reset();
        md.update(NODE);
        md.update(left);
        md.update(right);
        return md.digest();
    }

    private static byte[] rootHash(MessageDigest md, HeContext context, KeyId keyId, int chunk, int valueCount,
                                   double bound, byte[] treeRoot) {
        md.reset();
        md.update(ROOT);
        md.update(DOMAIN);
        md.update(HexFormat.of().parseHex(context.fingerprint()));
        md.update(keyId.bytes());
        byte[] fields = new CanonicalBytes("MVCT", 1).u32(context.params().logN()).u32(context.ring().primes())
                .u32(BLOCK).u32(chunk).u32(valueCount).u64(Double.doubleToLongBits(bound)).toByteArray();
        md.update(fields);
        md.update(treeRoot);
        return md.digest();
    }

    @Override
    public String toString() {
        return "CiphertextTree[chunk=" + ct.chunk() + ", root=" + rootHex() + "]";
    }

    static boolean sameRoot(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }
}
