package org.medveil.dicom.net;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Malformed PDUs must end in DicomNetworkException (which aborts only that association), never
 * in a runtime exception that could escape the association thread. Inputs are a valid
 * A-ASSOCIATE-RQ and command set with random bytes overwritten or cut.
 */
class ProtocolFuzzTest {
    private static final byte[] VALID_RQ = validAssociateRq();
    private static final byte[] VALID_COMMAND = new Command().putString(Command.AFFECTED_SOP_CLASS, "1.2.840.10008.1.1", 0)
            .putUs(Command.COMMAND_FIELD, Command.C_ECHO_RQ).putUs(Command.MESSAGE_ID, 7)
            .putUs(Command.DATA_SET_TYPE, Command.NO_DATA_SET).encode();

    private static byte[] validAssociateRq() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0, 1, 0, 0});
        b.writeBytes("MEDVEIL         ".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes("STORESCU        ".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(new byte[32]);
        item(b, 0x10, "1.2.840.10008.3.1.1.1".getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream pc = new ByteArrayOutputStream();
        pc.writeBytes(new byte[] {1, 0, 0, 0});
        item(pc, 0x30, "1.2.840.10008.1.1".getBytes(StandardCharsets.US_ASCII));
        item(pc, 0x40, "1.2.840.10008.1.2".getBytes(StandardCharsets.US_ASCII));
        item(b, 0x20, pc.toByteArray());
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        item(user, 0x51, ByteBuffer.allocate(4).putInt(16384).array());
        item(user, 0x52, "1.2.3".getBytes(StandardCharsets.US_ASCII));
        item(b, 0x50, user.toByteArray());
        return b.toByteArray();
    }

    private static void item(ByteArrayOutputStream out, int type, byte[] v) {
        out.write(type);
        out.write(0);
        out.write(v.length >>> 8);
        out.write(v.length);
        out.writeBytes(v);
    }

    @Provide
    Arbitrary<byte[]> mutatedRq() { return mutated(VALID_RQ); }

    @Provide
    Arbitrary<byte[]> mutatedCommand() { return mutated(VALID_COMMAND); }

    private static Arbitrary<byte[]> mutated(byte[] valid) {
        return Arbitraries.integers().between(0, valid.length - 1).list().ofMinSize(1).ofMaxSize(6)
                .flatMap(positions -> Arbitraries.bytes().array(byte[].class).ofSize(positions.size())
                        .flatMap(values -> Arbitraries.integers().between(1, valid.length).map(cut -> {
                            byte[] b = valid.clone();
                            for (int i = 0; i < positions.size(); i++) {
                                b[positions.get(i)] = values[i];
                            }
                            return java.util.Arrays.copyOf(b, cut);
                        })));
    }

    @Property(tries = 20_000, shrinking = ShrinkingMode.OFF)
    @net.jqwik.api.Tag("issue-4")
    void associateRqParsingOnlyFailsWithANetworkException(@ForAll("mutatedRq") byte[] body) {
        try {
            Pdu.parseAssociateRq(body);
        } catch (DicomNetworkException expected) {
            // aborts the association
        }
    }

    @Property(tries = 20_000, shrinking = ShrinkingMode.OFF)
    @net.jqwik.api.Tag("issue-4")
    void commandParsingOnlyFailsWithANetworkException(@ForAll("mutatedCommand") byte[] body) {
        try {
            Command c = Command.parse(body);
            c.us(Command.COMMAND_FIELD, -1);
            c.ui(Command.AFFECTED_SOP_CLASS);
        } catch (DicomNetworkException expected) {
            // aborts the association
        }
    }
}
