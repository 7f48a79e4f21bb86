package org.medveil.dicom.io;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.dicom.BulkDataElement;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.Environment;
import org.medveil.dicom.FragmentsElement;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.VR;
import org.medveil.dicom.ValueElement;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9 part 6: pixel data can pass from the input file to the output file without being loaded
 * ({@link DicomReader.Options#PIXEL_DATA_IN_FILE}); the output bytes are the same as when
 * everything is loaded, whichever way the writer writes, and a file that changes in between is
 * refused rather than mixed into the output.
 */
@Tag("issue-9")
class PixelDataInFileTest {
    /** Native explicit and implicit VR, big endian (never left in the file), RLE, JPEG, deflated. */
    private static final List<String> FILES = List.of("test_files/CT_small.dcm", "test_files/MR_small.dcm",
            "test_files/rtdose.dcm", "test_files/MR_small_implicit.dcm", "test_files/MR_small_bigendian.dcm",
            "test_files/SC_rgb_rle.dcm", "test_files/JPEG2000.dcm", "test_files/image_dfl.dcm",
            "test_files/rtplan.dcm");

    @TempDir
    Path dir;

    @Test
    @DisplayName("output bytes equal those of a fully loaded file, to a path, a stream, a FileOutputStream and a channel")
    void sameBytesAsLoaded() throws Exception {
        int leftInFile = 0;
        for (String name : FILES) {
            Path in = Environment.corpusFile(name);
            DicomFile loaded = new DicomReader().read(in);
            TransferSyntax ts = loaded.transferSyntax().bigEndian() ? TransferSyntax.EXPLICIT_LE : loaded.transferSyntax();
            byte[] expected = bytes(loaded, ts);
            DicomFile streamed = new DicomReader(DicomReader.Options.PIXEL_DATA_IN_FILE).read(in);
            if (streamed.dataSet().get(org.medveil.dicom.Tag.PixelData) instanceof BulkDataElement b) {
                leftInFile++;
                assertEquals(loaded.dataSet().get(org.medveil.dicom.Tag.PixelData), new DicomReader().load(b), name);
            }
            assertArrayEquals(expected, bytes(streamed, ts), name + " to a stream");
            Path viaPath = dir.resolve("path.dcm");
            new DicomWriter().writeFile(streamed, viaPath, ts);
            assertArrayEquals(expected, Files.readAllBytes(viaPath), name + " to a path");
            Path viaFos = dir.resolve("fos.dcm");
            try (OutputStream out = new FileOutputStream(viaFos.toFile())) {
                out.write(new byte[] {1, 2, 3}); // written before: the channel continues at the stream's position
                new DicomWriter().writeFile(streamed, out, ts);
            }
            byte[] fos = Files.readAllBytes(viaFos);
            assertArrayEquals(expected, java.util.Arrays.copyOfRange(fos, 3, fos.length), name + " to a FileOutputStream");
            Path viaChannel = dir.resolve("channel.dcm");
            try (FileChannel ch = FileChannel.open(viaChannel, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                new DicomWriter().writeFile(streamed, ch, ts);
            }
            assertArrayEquals(expected, Files.readAllBytes(viaChannel), name + " to a channel");
            Files.delete(viaPath);
            Files.delete(viaFos);
            Files.delete(viaChannel);
        }
        assertTrue(leftInFile >= 5, "pixel data left in the file for " + leftInFile + " files");
    }

    @Test
    @DisplayName("big-endian and deflated files are loaded whole: their bytes must be converted")
    void onlyLittleEndianFilesLeavePixelsInTheFile() throws Exception {
        for (String name : List.of("test_files/MR_small_bigendian.dcm", "test_files/image_dfl.dcm")) {
            DicomFile f = new DicomReader(DicomReader.Options.PIXEL_DATA_IN_FILE).read(Environment.corpusFile(name));
            assertInstanceOf(ValueElement.class, f.dataSet().get(org.medveil.dicom.Tag.PixelData), name);
        }
        DicomFile rle = new DicomReader(DicomReader.Options.PIXEL_DATA_IN_FILE)
                .read(Environment.corpusFile("test_files/SC_rgb_rle.dcm"));
        BulkDataElement b = assertInstanceOf(BulkDataElement.class, rle.dataSet().get(org.medveil.dicom.Tag.PixelData));
        assertEquals(-1, b.length());
        assertInstanceOf(FragmentsElement.class, new DicomReader().load(b));
    }

    @Test
    @DisplayName("only the top-level Pixel Data stays in the file; other large values are loaded")
    void otherValuesAreLoaded() throws Exception {
        DataSet ds = new DataSet();
        ds.putString(org.medveil.dicom.Tag.SOPInstanceUID, VR.UI, "2.25.99");
        ds.putBytes(0x00420011, VR.OB, new byte[200_000]); // Encapsulated Document
        ds.newSequence(0x00880200, false).addItem().putBytes(org.medveil.dicom.Tag.PixelData, VR.OW, new byte[100_000]);
        ds.putBytes(org.medveil.dicom.Tag.PixelData, VR.OW, new byte[300_000]);
        Path f = dir.resolve("f.dcm");
        new DicomWriter().writeFile(new DicomFile(new DataSet(), ds, TransferSyntax.EXPLICIT_LE, 0), f, TransferSyntax.EXPLICIT_LE);
        DataSet back = new DicomReader(DicomReader.Options.PIXEL_DATA_IN_FILE).read(f).dataSet();
        assertInstanceOf(BulkDataElement.class, back.get(org.medveil.dicom.Tag.PixelData));
        assertInstanceOf(ValueElement.class, back.get(0x00420011));
        assertInstanceOf(ValueElement.class, back.getSequence(0x00880200).item(0).get(org.medveil.dicom.Tag.PixelData));
    }

    @Test
    @DisplayName("a file rewritten or replaced between read and write is refused, and no output appears")
    void changedFileIsRefused() throws Exception {
        Path in = dir.resolve("in.dcm");
        Files.copy(Environment.corpusFile("test_files/CT_small.dcm"), in);
        // same size, new content and time: what an in-place rewrite by another program looks like
        DicomFile f = new DicomReader(DicomReader.Options.PIXEL_DATA_IN_FILE).read(in);
        byte[] other = Files.readAllBytes(in);
        other[other.length - 1] ^= 0x55;
        Files.write(in, other);
        Files.setLastModifiedTime(in, FileTime.fromMillis(Files.getLastModifiedTime(in).toMillis() + 2000));
        Path out = dir.resolve("out.dcm");
        DicomException e = assertThrows(DicomException.class,
                () -> new DicomWriter().writeFile(f, out, TransferSyntax.EXPLICIT_LE));
        assertTrue(e.getMessage().contains("changed since it was read"), e.getMessage());
        assertFalse(Files.exists(out));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left behind"); // only in.dcm
        }
        BulkDataElement b = (BulkDataElement) f.dataSet().get(org.medveil.dicom.Tag.PixelData);
        assertThrows(DicomException.class, () -> new DicomReader().load(b));
        assertThrows(DicomException.class, () -> bytes(f, TransferSyntax.EXPLICIT_LE));

        // replaced by another file under the same name (a new inode)
        DicomFile g = new DicomReader(DicomReader.Options.PIXEL_DATA_IN_FILE).read(in);
        Path replacement = dir.resolve("replacement.dcm");
        Files.write(replacement, Files.readAllBytes(in));
        Files.move(replacement, in, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThrows(DicomException.class, () -> bytes(g, TransferSyntax.EXPLICIT_LE));
    }

    @Test
    @DisplayName("read from an array: the caller's array is not modified, values are equal to a stream read")
    void arrayReadsLeaveTheArrayAlone() throws Exception {
        for (String name : FILES) {
            byte[] raw = Files.readAllBytes(Environment.corpusFile(name));
            byte[] copy = raw.clone();
            DicomFile fromArray = new DicomReader().read(raw);
            assertArrayEquals(copy, raw, name);
            // a stream that hands out a few bytes at a time exercises the buffer refills and direct reads
            DicomFile fromTrickle = new DicomReader().read(new java.io.FilterInputStream(new java.io.ByteArrayInputStream(raw)) {
                private int turn;

                @Override
                public int read(byte[] b, int off, int len) throws java.io.IOException {
                    return super.read(b, off, Math.min(len, 1 + (turn++ * 7919) % 70_000));
                }
            }, raw.length);
            assertEquals(fromArray.dataSet(), fromTrickle.dataSet(), name);
            assertEquals(fromArray.meta(), fromTrickle.meta(), name);
        }
    }

    private static byte[] bytes(DicomFile f, TransferSyntax ts) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new DicomWriter().writeFile(f, out, ts);
        return out.toByteArray();
    }
}
