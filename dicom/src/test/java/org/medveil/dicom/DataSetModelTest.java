package org.medveil.dicom;

import org.junit.jupiter.api.Test;
import org.medveil.dicom.dict.DataDictionary;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;
import org.medveil.dicom.pixel.FrameFragments;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 4 data set model: what issue 5 (de-identification) builds on. */
@org.junit.jupiter.api.Tag("issue-4")
class DataSetModelTest {

    @Test
    void nestedSequencesCanBeWalkedAndEditedInPlace() throws Exception {
        DicomFile f = new DicomReader().read(Environment.corpusFile("test_files/rtplan.dcm"));
        int[] names = {0};
        f.dataSet().walk((owner, e) -> names[0] += e.tag() == 0x300A00C2 ? 1 : 0); // BeamName at depth 1
        assertTrue(names[0] > 0);
        f.dataSet().removeIf((owner, e) -> e.tag() == 0x300A00C2);
        boolean[] left = {false};
        f.dataSet().walk((owner, e) -> left[0] |= e.tag() == 0x300A00C2);
        assertFalse(left[0]);
        DataSet item = f.dataSet().getSequence(0x300A00B0).item(0);
        assertEquals(1, item.depth());
        assertEquals(f.dataSet(), item.parent());
    }

    @Test
    void privateSequencesSurviveImplicitVrWhereOnlyTheDictionaryNamesSequences() throws Exception {
        DataSet ds = new DataSet();
        ds.putString(Tag.SOPInstanceUID, VR.UI, "2.25.7");
        int block = ds.reservePrivateBlock(0x0011, "MEDVEIL TEST");
        DataSet item = ds.newSequence(Tag.of(0x0011, (block << 8) | 0x01), false).addItem();
        item.putString(Tag.PatientID, VR.LO, "X1");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new DicomWriter().writeFile(new DicomFile(new DataSet(), ds, TransferSyntax.EXPLICIT_LE, 0), out,
                TransferSyntax.IMPLICIT_LE);
        DataSet back = new DicomReader().read(out.toByteArray()).dataSet();
        assertEquals("X1", back.getSequence(Tag.of(0x0011, (block << 8) | 0x01)).item(0).getString(Tag.PatientID));
    }

    @Test
    void deepCopyIsIndependentOfTheOriginal() throws Exception {
        DataSet original = new DicomReader().read(Environment.corpusFile("test_files/rtplan.dcm")).dataSet();
        DataSet copy = original.copy();
        assertEquals(original, copy);
        copy.getSequence(0x300A00B0).item(0).remove(0x300A00C2);
        assertFalse(original.equals(copy));
        assertEquals(copy, copy.getSequence(0x300A00B0).item(0).parent());
    }

    @Test
    void privateBlocksAreFoundByCreatorAndReserved() {
        DataSet ds = new DataSet();
        int block = ds.reservePrivateBlock(0x0029, "MEDVEIL TEST");
        assertEquals(0x10, block);
        int tag = Tag.of(0x0029, (block << 8) | 0x01);
        ds.putString(tag, VR.LO, "x");
        assertEquals("MEDVEIL TEST", ds.privateCreatorOf(tag));
        assertEquals(0x11, ds.reservePrivateBlock(0x0029, "OTHER"));
        assertEquals(0x10, ds.findPrivateBlock(0x0029, "MEDVEIL TEST"));
        assertEquals(-1, ds.findPrivateBlock(0x0029, "ABSENT"));
    }

    @Test
    void dictionaryKnowsRepeatingGroupsRetiredFlagsAndVrAlternatives() {
        DataDictionary d = DataDictionary.standard();
        assertEquals("OverlayData", d.lookup(0x60023000).keyword());
        assertEquals(VR.OB, d.lookup(0x60003000).vrs().get(0));
        assertTrue(d.lookup(0x00080010).retired()); // Recognition Code
        assertEquals(List.of(VR.US, VR.SS), d.lookup(0x00280106).vrs());
        assertEquals("1-n", d.lookup(Tag.SpecificCharacterSet).vm());
        assertNull(d.lookup(0x00090010 + 0x1000));
        assertEquals(VR.LO, d.vrOf(0x00090010));
    }

    @Test
    void unknownCompressedSyntaxPassesThroughUntouched() throws Exception {
        DataSet ds = new DataSet();
        ds.putString(Tag.SOPClassUID, VR.UI, "1.2.840.10008.5.1.4.1.1.7");
        ds.putString(Tag.SOPInstanceUID, VR.UI, "2.25.99");
        ds.put(new FragmentsElement(Tag.PixelData, VR.OB, List.of(new byte[0], new byte[] {1, 2, 3, 4})));
        TransferSyntax unknown = TransferSyntax.of("1.2.840.10008.1.2.4.999");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new DicomWriter().writeFile(new DicomFile(new DataSet(), ds, unknown, 0), out, unknown);
        DicomFile back = new DicomReader().read(out.toByteArray());
        assertEquals(unknown, back.transferSyntax());
        assertEquals(ds, back.dataSet());
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        new DicomWriter().writeFile(back, again, back.transferSyntax());
        assertArrayEquals(out.toByteArray(), again.toByteArray());
    }

    @Test
    void extendedOffsetTableSplitsFramesAcrossFragments() throws Exception {
        List<byte[]> items = new ArrayList<>();
        items.add(new byte[0]);
        items.add(new byte[] {1, 1});    // frame 0, fragment 1 at offset 0
        items.add(new byte[] {2, 2});    // frame 0, fragment 2 at offset 10
        items.add(new byte[] {3, 3, 3, 3}); // frame 1 at offset 20
        DataSet ds = new DataSet();
        ByteBuffer eot = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0).putLong(20);
        ds.putBytes(Tag.ExtendedOffsetTable, VR.OV, eot.array());
        List<byte[]> frames = FrameFragments.frames(new FragmentsElement(Tag.PixelData, VR.OB, items), ds, 2);
        assertArrayEquals(new byte[] {1, 1, 2, 2}, frames.get(0));
        assertArrayEquals(new byte[] {3, 3, 3, 3}, frames.get(1));
    }

    @Test
    void basicOffsetTableSplitsFrames() throws Exception {
        List<byte[]> items = new ArrayList<>();
        items.add(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(20).array());
        items.add(new byte[] {1, 1});
        items.add(new byte[] {2, 2});
        items.add(new byte[] {3, 3});
        List<byte[]> frames = FrameFragments.frames(new FragmentsElement(Tag.PixelData, VR.OB, items), new DataSet(), 2);
        assertArrayEquals(new byte[] {1, 1, 2, 2}, frames.get(0));
        assertArrayEquals(new byte[] {3, 3}, frames.get(1));
    }
    @Test
    @org.junit.jupiter.api.DisplayName("elements stay sorted by unsigned tag under any mix of puts and removes")
    void sortedByUnsignedTagLikeAReferenceMap() {
        java.util.Random rnd = new java.util.Random(9);
        DataSet ds = new DataSet();
        java.util.TreeMap<Integer, Element> model = new java.util.TreeMap<>(Integer::compareUnsigned);
        for (int step = 0; step < 5000; step++) {
            // a small tag space, top bit included (unsigned order puts 0xFFFE.... last), so that puts
            // replace, insert in the middle, append and removes hit present and absent tags
            int tag = (rnd.nextInt(8) << 29) | (rnd.nextInt(64) << 4);
            switch (rnd.nextInt(3)) {
                case 0, 1 -> {
                    ValueElement v = new ValueElement(tag, VR.OB, new byte[] {(byte) step, 0});
                    ds.put(v);
                    model.put(tag, v);
                }
                default -> assertEquals(model.remove(tag), ds.remove(tag));
            }
            assertEquals(model.size(), ds.size());
        }
        assertEquals(new ArrayList<>(model.values()), new ArrayList<>(ds.elements()));
        for (int tag : model.keySet()) {
            assertEquals(model.get(tag), ds.get(tag));
            assertTrue(ds.contains(tag));
        }
        assertNull(ds.get(0x00000001));
        DataSet copy = ds.copy();
        assertEquals(ds, copy);
        assertEquals(ds.hashCode(), copy.hashCode());
        copy.remove(model.firstKey());
        assertFalse(ds.equals(copy));
    }

    @Test
    void changingADataSetWhileIteratingItsElementsFailsFast() {
        DataSet ds = new DataSet();
        ds.putString(Tag.SOPInstanceUID, VR.UI, "2.25.1");
        ds.putString(Tag.PatientID, VR.LO, "P");
        org.junit.jupiter.api.Assertions.assertThrows(java.util.ConcurrentModificationException.class, () -> {
            for (Element e : ds.elements()) {
                ds.remove(e.tag());
            }
        });
        org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                () -> ds.elements().clear());
    }
}
