package org.medveil.dicom.io;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.DicomParseException;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.VR;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 4 "Bad input": typed exceptions naming offset and tag, never OOM or endless loops. */
@Tag("issue-4")
class BadInputTest {
    private final DicomReader reader = new DicomReader();

    private static ByteBuffer le(int size) { return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN); }

    @Test
    void lengthBeyondTheFileIsRefusedBeforeAllocating() {
        ByteBuffer b = le(12).putShort((short) 0x0010).putShort((short) 0x0010).put((byte) 'O').put((byte) 'B')
                .putShort((short) 0).putInt(0x10000000);
        DicomParseException e = assertThrows(DicomParseException.class, () -> reader.read(b.array()));
        assertEquals(12, e.offset()); // where the missing value would start
        assertEquals(0x00100010, e.tag());
        assertTrue(e.getMessage().contains("value length 268435456 exceeds the 0 bytes left"), e.getMessage());
    }

    @Test
    void hugeLengthInAStreamOfUnknownSizeEndsAtTheDataNotInMemory() {
        ByteBuffer b = le(16).putShort((short) 0x0010).putShort((short) 0x0010).putInt(0x7FFFFF00).putInt(1).putInt(2);
        DicomParseException e = assertThrows(DicomParseException.class,
                () -> reader.readDataSet(new ByteArrayInputStream(b.array()), -1, TransferSyntax.IMPLICIT_LE));
        assertEquals(0x00100010, e.tag());
        assertTrue(e.getMessage().contains("unexpected end of data"), e.getMessage());
    }

    @Test
    void unknownVrIsNamedWithItsBytes() {
        ByteBuffer b = le(8).putShort((short) 0x0010).putShort((short) 0x0010).put((byte) 'Z').put((byte) 'Z').putShort((short) 0);
        DicomParseException e = assertThrows(DicomParseException.class,
                () -> reader.readDataSet(new ByteArrayInputStream(b.array()), 8, TransferSyntax.EXPLICIT_LE));
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("unknown VR bytes 0x5a5a"), e.getMessage());
    }

    @Test
    void truncatedHeaderIsReportedAtTheEnd() {
        byte[] data = {0x10, 0x00, 0x10, 0x00, 'P', 'N'};
        DicomParseException e = assertThrows(DicomParseException.class,
                () -> reader.readDataSet(new ByteArrayInputStream(data), data.length, TransferSyntax.EXPLICIT_LE));
        assertEquals(6, e.offset());
    }

    @Test
    void garbageInsideASequenceIsNotAnItem() {
        // (0008,1140) SQ undefined length, then a non-item tag
        ByteBuffer b = le(20).putShort((short) 0x0008).putShort((short) 0x1140).put((byte) 'S').put((byte) 'Q')
                .putShort((short) 0).putInt(-1).putShort((short) 0x0010).putShort((short) 0x0010).putInt(0);
        DicomParseException e = assertThrows(DicomParseException.class,
                () -> reader.readDataSet(new ByteArrayInputStream(b.array()), 20, TransferSyntax.EXPLICIT_LE));
        assertEquals(0x00081140, e.tag());
        assertTrue(e.getMessage().contains("expected an item"), e.getMessage());
    }

    @Test
    void itemLongerThanItsSequenceIsRefused() {
        ByteBuffer b = le(32).putShort((short) 0x0008).putShort((short) 0x1140).put((byte) 'S').put((byte) 'Q')
                .putShort((short) 0).putInt(16).putShort((short) 0xFFFE).putShort((short) 0xE000).putInt(100)
                .putLong(0).putInt(0);
        DicomParseException e = assertThrows(DicomParseException.class,
                () -> reader.readDataSet(new ByteArrayInputStream(b.array()), 32, TransferSyntax.EXPLICIT_LE));
        assertTrue(e.getMessage().contains("runs past its sequence"), e.getMessage());
    }

    @Test
    void deepNestingIsBoundedInsteadOfOverflowingTheStack() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < 1000; i++) {
            out.writeBytes(le(12).putShort((short) 0x0008).putShort((short) 0x1140).put((byte) 'S').put((byte) 'Q')
                    .putShort((short) 0).putInt(-1).array());
            out.writeBytes(le(8).putShort((short) 0xFFFE).putShort((short) 0xE000).putInt(-1).array());
        }
        byte[] data = out.toByteArray();
        DicomParseException e = assertThrows(DicomParseException.class,
                () -> reader.readDataSet(new ByteArrayInputStream(data), data.length, TransferSyntax.EXPLICIT_LE));
        assertTrue(e.getMessage().contains("nested deeper than 32"), e.getMessage());
    }

    @Test
    void strayDelimiterAtTopLevelIsRefused() {
        ByteBuffer b = le(8).putShort((short) 0xFFFE).putShort((short) 0xE0DD).putInt(0);
        DicomParseException e = assertThrows(DicomParseException.class,
                () -> reader.readDataSet(new ByteArrayInputStream(b.array()), 8, TransferSyntax.EXPLICIT_LE));
        assertEquals(0xFFFEE0DD, e.tag());
    }

    @Test
    void oddLengthValuesAreKeptByteForByte() throws Exception {
        // dcmtk accepts odd lengths (+ao default); we keep them so a rewrite is faithful
        ByteBuffer b = le(11).putShort((short) 0x0010).putShort((short) 0x0020).put((byte) 'L').put((byte) 'O')
                .putShort((short) 3).put(new byte[] {'A', 'B', 'C'});
        DataSet ds = reader.readDataSet(new ByteArrayInputStream(b.array()), 11, TransferSyntax.EXPLICIT_LE);
        assertEquals(3, ds.getBytes(0x00100020).length);
        assertEquals(VR.LO, ds.get(0x00100020).vr());
    }
}
