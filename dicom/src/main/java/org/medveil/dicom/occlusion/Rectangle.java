package org.medveil.dicom.occlusion;

/**
 * A region to blank, in pixels from the top-left corner. A width or height of -1 (written '*' in a
 * rules file) extends the region to the right or bottom edge of the image.
 */
public record Rectangle(int x, int y, int width, int height) {
    public static final int TO_EDGE = -1;

    public Rectangle {
        if (x < 0 || y < 0 || (width < 1 && width != TO_EDGE) || (height < 1 && height != TO_EDGE)) {
            throw new IllegalArgumentException("rectangle " + x + "," + y + "," + width + "," + height
                    + " is invalid: x and y must be >= 0, width and height >= 1 or '*'");
        }
    }

    /** Right edge (exclusive), clipped to {@code columns}. */
    int right(int columns) { return width == TO_EDGE ? columns : Math.min(columns, x + width); }

    /** Bottom edge (exclusive), clipped to {@code rows}. */
    int bottom(int rows) { return height == TO_EDGE ? rows : Math.min(rows, y + height); }

    @Override
    public String toString() {
        return x + "," + y + "," + (width == TO_EDGE ? "*" : width) + "," + (height == TO_EDGE ? "*" : height);
    }
}
