package org.medveil.dicom.pixel;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.FragmentsElement;
import org.medveil.dicom.Tag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Groups the fragments of encapsulated Pixel Data into frames (PS3.5 §A.4): by the Extended
 * Offset Table when present, else by the Basic Offset Table, else one fragment per frame, all
 * fragments for a single frame, or (JPEG family) a new frame at each fragment that starts with a
 * start-of-image marker right after one that ends with an end-of-image marker.
 *
 * <p>An offset table is used only if every entry points exactly at the start of a fragment, in
 * increasing order. Otherwise it is ignored with one warning and the frames are found from the
 * fragments, as dcmtk and gdcm do: a table that is off by a few bytes (written by tools that
 * counted odd fragment lengths unpadded) would otherwise give a frame the wrong fragments.
 */
public final class FrameFragments {
    private static final Logger LOG = LoggerFactory.getLogger(FrameFragments.class);

    private FrameFragments() {}

    public static List<byte[]> frames(FragmentsElement f, DataSet ds, int frames) throws DicomException {
        List<byte[]> frags = f.items().subList(1, f.items().size());
        if (frags.isEmpty()) {
            throw new DicomException("encapsulated Pixel Data holds no fragment");
        }
        long[] positions = new long[frags.size()];
        for (int i = 1; i < frags.size(); i++) {
            positions[i] = positions[i - 1] + 8 + frags.get(i - 1).length;
        }
        byte[] eot = ds.getBytes(Tag.ExtendedOffsetTable);
        if (eot != null && eot.length > 0) {
            long[] offsets = eot.length == 8L * frames ? readOffsets(eot, 8, frames) : null;
            if (offsets != null && pointAtFragments(offsets, positions)) {
                return byOffsets(frags, positions, offsets);
            }
            ignored("Extended", eot.length / 8, frames);
        } else if (frames > 1 && f.offsetTable().length > 0) {
            byte[] bot = f.offsetTable();
            long[] offsets = bot.length == 4L * frames ? readOffsets(bot, 4, frames) : null;
            if (offsets != null && pointAtFragments(offsets, positions)) {
                return byOffsets(frags, positions, offsets);
            }
            ignored("Basic", bot.length / 4, frames);
        }
        if (frames == 1) {
            return List.of(concat(frags, 0, frags.size()));
        }
        if (frags.size() == frames) {
            return new ArrayList<>(frags);
        }
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= frags.size(); i++) {
            if (i == frags.size() || (startsFrame(frags.get(i)) && endsFrame(frags.get(i - 1)))) {
                out.add(concat(frags, start, i));
                start = i;
            }
        }
        if (out.size() != frames) {
            throw new DicomException("cannot tell which of " + frags.size() + " fragments belong to which of " + frames
                    + " frames (no usable offset table, and " + out.size() + " frame(s) found from start/end markers)");
        }
        return out;
    }

    private static void ignored(String table, int entries, int frames) {
        LOG.warn("{} Offset Table ({} entries for {} frames) does not point at fragment starts; ignoring it and "
                + "finding frames from the fragments", table, entries, frames);
    }

    /** Each offset is the position of a fragment, and they increase (the first one is the first fragment). */
    private static boolean pointAtFragments(long[] offsets, long[] positions) {
        for (int k = 0; k < offsets.length; k++) {
            if ((k == 0 && offsets[0] != 0) || (k > 0 && offsets[k] <= offsets[k - 1])
                    || Arrays.binarySearch(positions, offsets[k]) < 0) {
                return false;
            }
        }
        return true;
    }

    /** JPEG SOI, JPEG 2000 SOC, or a JP2 signature box (GDCM wrote JP2 files into DICOM). */
    private static boolean startsFrame(byte[] b) {
        if (b.length >= 2 && (b[0] & 0xFF) == 0xFF && ((b[1] & 0xFF) == 0xD8 || (b[1] & 0xFF) == 0x4F)) {
            return true;
        }
        return b.length >= 8 && b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 12 && b[4] == 'j' && b[5] == 'P';
    }

    /** Ends with JPEG EOI / JPEG 2000 EOC (0xFFD9), maybe followed by zero padding. */
    private static boolean endsFrame(byte[] b) {
        int end = b.length;
        while (end > 0 && b[end - 1] == 0) {
            end--;
        }
        return end >= 2 && (b[end - 2] & 0xFF) == 0xFF && (b[end - 1] & 0xFF) == 0xD9;
    }

    private static long[] readOffsets(byte[] table, int width, int frames) {
        ByteBuffer b = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[frames];
        for (int i = 0; i < frames; i++) {
            out[i] = width == 4 ? Integer.toUnsignedLong(b.getInt()) : b.getLong();
        }
        return out;
    }

    private static List<byte[]> byOffsets(List<byte[]> frags, long[] positions, long[] offsets) {
        List<byte[]> out = new ArrayList<>(offsets.length);
        for (int k = 0; k < offsets.length; k++) {
            int first = Arrays.binarySearch(positions, offsets[k]);
            int last = k + 1 < offsets.length ? Arrays.binarySearch(positions, offsets[k + 1]) : frags.size();
            out.add(concat(frags, first, last));
        }
        return out;
    }

    private static byte[] concat(List<byte[]> frags, int from, int to) {
        if (to - from == 1) {
            return frags.get(from);
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            b.writeBytes(frags.get(i));
        }
        return b.toByteArray();
    }
}
