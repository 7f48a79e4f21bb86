package org.medveil.dicom.io;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.medveil.dicom.BulkDataElement;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.VR;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 4 "Streaming": headers of a large multi-frame file are read without reading its pixels. */
@Tag("issue-4")
class StreamingTest {
    private static final int FRAMES = 64;
    private static Path file;

    @BeforeAll
    static void writeLargeMultiFrameFile() throws Exception {
        DataSet ds = new DataSet();
        ds.putString(org.medveil.dicom.Tag.SOPClassUID, VR.UI, "1.2.840.10008.5.1.4.1.1.7.3");
        ds.putString(org.medveil.dicom.Tag.SOPInstanceUID, VR.UI, "2.25.1234567890");
        ds.putInts(org.medveil.dicom.Tag.Rows, VR.US, 512);
        ds.putInts(org.medveil.dicom.Tag.Columns, VR.US, 512);
        ds.putInts(org.medveil.dicom.Tag.BitsAllocated, VR.US, 16);
        ds.putString(org.medveil.dicom.Tag.NumberOfFrames, VR.IS, Integer.toString(FRAMES));
        byte[] pixels = new byte[512 * 512 * 2 * FRAMES]; // 32 MiB
        for (int i = 0; i < pixels.length; i += 4099) {
            pixels[i] = (byte) i;
        }
        ds.putBytes(org.medveil.dicom.Tag.PixelData, VR.OW, pixels);
        file = Files.createTempFile("medveil-large", ".dcm");
        new DicomWriter().writeFile(new DicomFile(new DataSet(), ds, TransferSyntax.EXPLICIT_LE, 0), file,
                TransferSyntax.EXPLICIT_LE);
    }

    @AfterAll
    static void delete() throws IOException {
        Files.deleteIfExists(file);
    }

    /** Counts the bytes a reader actually pulls from the stream. */
    static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) { super(in); }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count += Math.max(n, 0);
            return n;
        }
    }

    @Test
    void headersOnlyReadStopsBeforePixelData() throws Exception {
        try (Counting in = new Counting(Files.newInputStream(file))) {
            DicomFile f = new DicomReader(DicomReader.Options.HEADERS).read(in, Files.size(file));
            assertEquals(512, f.dataSet().getInt(org.medveil.dicom.Tag.Rows, 0));
            assertFalse(f.dataSet().contains(org.medveil.dicom.Tag.PixelData));
            assertTrue(in.count < 256 * 1024, "read " + in.count + " bytes of a " + Files.size(file) + "-byte file");
        }
    }

    @Test
    void bulkDataStaysInTheFileAndIsCopiedOnWrite() throws Exception {
        DicomFile f = new DicomReader(new DicomReader.Options(1 << 20, 0, 32)).read(file);
        BulkDataElement px = (BulkDataElement) f.dataSet().get(org.medveil.dicom.Tag.PixelData);
        assertEquals(512L * 512 * 2 * FRAMES, px.length());
        Path out = Files.createTempFile("medveil-large-copy", ".dcm");
        try {
            new DicomWriter().writeFile(f, out, TransferSyntax.EXPLICIT_LE);
            assertEquals(Files.size(file), Files.size(out));
            assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
