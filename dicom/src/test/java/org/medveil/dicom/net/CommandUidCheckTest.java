package org.medveil.dicom.net;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.Environment;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The C-STORE command's Affected SOP Class/Instance UIDs are checked before anything is stored:
 * hand-built PDUs, since dcmtk's senders never send a malformed UID.
 */
class CommandUidCheckTest {
    private static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    private static final String MR = "1.2.840.10008.5.1.4.1.1.4";
    private static final String IMPLICIT = "1.2.840.10008.1.2";
    private final List<String> stored = new CopyOnWriteArrayList<>();
    private StorageScp scp;

    @BeforeEach
    void start() throws Exception {
        scp = new StorageScp(ScpConfig.of("MEDVEIL", 0).withBindAddress("127.0.0.1").withArtim(Duration.ofSeconds(5)),
                o -> stored.add(o.sopInstanceUid())).start();
    }

    @AfterEach
    void stop() { scp.close(); }

    @Test
    void uidSyntaxFollowsPs35Section9() {
        for (String ok : List.of("0", "1.2.3", "1.2.840.10008.5.1.4.1.1.2", "2.25.0", "1." + "1".repeat(62))) {
            assertTrue(Association.validUid(ok), ok);
        }
        for (String bad : List.of("", ".1", "1.", "1..2", "1.02", "1.2a", "1.2 ", "1." + "1".repeat(63), "1.-2")) {
            assertFalse(Association.validUid(bad), bad);
        }
    }

    @Test
    void wellFormedStoreIsAcceptedSoTheRefusalsBelowMeanSomething() throws Exception {
        assertEquals(0x0000, send(1, CT, "1.2.3.4.5"));
        assertEquals(List.of("1.2.3.4.5"), stored);
    }

    @Test
    void malformedSopInstanceUidIsRefusedAndNothingStored() throws Exception {
        for (String bad : List.of("1.2.03.4", "1.2..3", "1.2.3.x", "1." + "2".repeat(63))) {
            assertEquals(0x0117, send(1, CT, bad), bad);
        }
        assertEquals(List.of(), stored);
        assertEquals(0, scp.storedCount());
    }

    @Test
    void sopClassNotMatchingItsPresentationContextIsRefused() throws Exception {
        assertEquals(0x0122, send(1, MR, "1.2.3.4.6"), "MR class on the CT context");
        assertEquals(0x0122, send(3, CT, "1.2.3.4.7"), "CT class on the MR context");
        assertEquals(0x0122, send(1, CT + ".", "1.2.3.4.8"), "malformed class");
        assertEquals(List.of(), stored);
    }

    /** One association: CT on context 1, MR on context 3; one C-STORE; returns its status. */
    private int send(int pcId, String sopClass, String iuid) throws Exception {
        try (Socket s = new Socket("127.0.0.1", scp.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            out.write(Pdu.pdu(Pdu.ASSOCIATE_RQ, associateRq()));
            out.flush();
            assertEquals(Pdu.ASSOCIATE_AC, Pdu.read(in, 1 << 16).type());
            byte[] cmd = new Command().putString(Command.AFFECTED_SOP_CLASS, sopClass, 0)
                    .putUs(Command.COMMAND_FIELD, Command.C_STORE_RQ).putUs(Command.MESSAGE_ID, 1)
                    .putUs(0x00000700, 0).putUs(Command.DATA_SET_TYPE, 0x0102)
                    .putString(Command.AFFECTED_SOP_INSTANCE, iuid, 0).encode();
            Pdu.writePData(out, pcId, true, cmd, 16384);
            DataSet ds = new DicomReader().read(Environment.corpusFile("test_files/CT_small.dcm")).dataSet();
            ds.putString(0x00080016, org.medveil.dicom.VR.UI, sopClass);
            ds.putString(0x00080018, org.medveil.dicom.VR.UI, iuid);
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            new DicomWriter().writeDataSet(ds, data, TransferSyntax.of(IMPLICIT));
            Pdu.writePData(out, pcId, false, data.toByteArray(), 16384);
            Pdu.Raw rsp = Pdu.read(in, 1 << 20);
            assertEquals(Pdu.P_DATA_TF, rsp.type());
            ByteBuffer b = ByteBuffer.wrap(rsp.body());
            int len = b.getInt();
            b.get();
            b.get();
            byte[] c = new byte[len - 2];
            b.get(c);
            return Command.parse(c).us(Command.STATUS, -1);
        }
    }

    private static byte[] associateRq() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0, 1, 0, 0});
        b.writeBytes("MEDVEIL         ".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes("STORESCU        ".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(new byte[32]);
        item(b, 0x10, "1.2.840.10008.3.1.1.1");
        context(b, 1, CT);
        context(b, 3, MR);
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        item(user, 0x51, ByteBuffer.allocate(4).putInt(16384).array());
        item(user, 0x52, "1.2.3".getBytes(StandardCharsets.US_ASCII));
        item(b, 0x50, user.toByteArray());
        return b.toByteArray();
    }

    private static void context(ByteArrayOutputStream b, int id, String abstractSyntax) {
        ByteArrayOutputStream pc = new ByteArrayOutputStream();
        pc.writeBytes(new byte[] {(byte) id, 0, 0, 0});
        item(pc, 0x30, abstractSyntax);
        item(pc, 0x40, IMPLICIT);
        item(b, 0x20, pc.toByteArray());
    }

    private static void item(ByteArrayOutputStream out, int type, String v) {
        item(out, type, v.getBytes(StandardCharsets.US_ASCII));
    }

    private static void item(ByteArrayOutputStream out, int type, byte[] v) {
        out.write(type);
        out.write(0);
        out.write(v.length >>> 8);
        out.write(v.length);
        out.writeBytes(v);
    }
}
