package org.medveil.dicom.pixel;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.FragmentsElement;
import org.medveil.dicom.Tag;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Groups the fragments of encapsulated Pixel Data into frames (PS3.5 §A.4): by the Extended
 * Offset Table when present, else by the Basic Offset Table, else one fragment per frame, all
 * fragments for a single frame, or (JPEG family) a new frame at each start-of-image marker.
 */
public final class FrameFragments {
    private FrameFragments() {}

    public static List<byte[]> frames(FragmentsElement f, DataSet ds, int frames) throws DicomException {
        List<byte[]> frags = f.items().subList(1, f.items().size());
        if (frags.isEmpty()) {
            throw new DicomException("encapsulated Pixel Data holds no fragment");
        }
        long[] positions = new long[frags.size() + 1];
        for (int i = 0; i < frags.size(); i++) {
            positions[i + 1] = positions[i] + 8 + frags.get(i).length;
        }
        byte[] eot = ds.getBytes(Tag.ExtendedOffsetTable);
        if (eot != null && eot.length >= 8L * frames) {
            return byOffsets(frags, positions, readOffsets(eot, 8, frames), frames);
        }
        byte[] bot = f.offsetTable();
        if (frames > 1 && bot.length >= 4L * frames) {
            return byOffsets(frags, positions, readOffsets(bot, 4, frames), frames);
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
            if (i == frags.size() || startsFrame(frags.get(i))) {
                out.add(concat(frags, start, i));
                start = i;
            }
        }
        if (out.size() != frames) {
            throw new DicomException("cannot tell which of " + frags.size() + " fragments belong to which of " + frames
                    + " frames (no offset table and no frame markers)");
        }
        return out;
    }

    private static boolean startsFrame(byte[] b) {
        return b.length >= 2 && (b[0] & 0xFF) == 0xFF && ((b[1] & 0xFF) == 0xD8 || (b[1] & 0xFF) == 0x4F);
    }

    private static long[] readOffsets(byte[] table, int width, int frames) {
        ByteBuffer b = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[frames];
        for (int i = 0; i < frames; i++) {
            out[i] = width == 4 ? Integer.toUnsignedLong(b.getInt()) : b.getLong();
        }
        return out;
    }

    private static List<byte[]> byOffsets(List<byte[]> frags, long[] positions, long[] offsets, int frames)
            throws DicomException {
        List<byte[]> out = new ArrayList<>(frames);
        for (int k = 0; k < frames; k++) {
            long from = offsets[k];
            long to = k + 1 < frames ? offsets[k + 1] : Long.MAX_VALUE;
            int first = -1;
            int last = -1;
            for (int i = 0; i < frags.size(); i++) {
                if (positions[i] >= from && positions[i] < to) {
                    first = first == -1 ? i : first;
                    last = i;
                }
            }
            if (first == -1) {
                throw new DicomException("offset table entry " + k + " (" + from + ") does not point at a fragment");
            }
            out.add(concat(frags, first, last + 1));
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
