package org.medveil.site.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {

    private static final HexFormat HEX = HexFormat.of();

    private static String h(int prefix, String... hexParts) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update((byte) prefix);
        for (String p : hexParts) {
            md.update(HEX.parseHex(p));
        }
        return HEX.formatHex(md.digest());
    }

    @Test
    void constructionAsDocumented() throws Exception {
        String a = "11".repeat(32);
        String b = "22".repeat(32);
        String c = "33".repeat(32);
        assertEquals(HEX.formatHex(MessageDigest.getInstance("SHA-256").digest()), MerkleTree.root(List.of()));
        assertEquals(h(0, a), MerkleTree.root(List.of(a)));
        // sorted leaves, 0x01 inner nodes, odd last node promoted unchanged
        String expected = h(1, h(1, h(0, a), h(0, b)), h(0, c));
        assertEquals(expected, MerkleTree.root(List.of(c, a, b)));
        assertEquals(expected, MerkleTree.root(List.of(b, c, a)));
        // no duplication of the odd leaf: {a,b,c} and {a,b,c,c} differ
        assertNotEquals(expected, MerkleTree.root(List.of(a, b, c, c)));
    }
}
