package org.medveil.dicom.pixel;

import java.util.List;

/**
 * Frames in native little-endian layout, samples interleaved per pixel unless
 * {@code description.planarConfiguration()} is 1. {@code description} describes the decoded data
 * (e.g. YBR JPEG decodes to RGB).
 */
public record DecodedPixels(PixelDescription description, List<byte[]> frames) {
    public DecodedPixels {
        frames = List.copyOf(frames);
    }
}
