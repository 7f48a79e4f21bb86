package org.medveil.models.synth;

import java.util.Map;

/**
 * A 3×5 pixel font for burned-in annotations (digits, capitals, a few marks). Each glyph is five
 * rows of three bits, written as five octal digits, top row first (bit 4 = left column).
 */
final class BitmapFont {
    static final int WIDTH = 3;
    static final int HEIGHT = 5;

    private static final Map<Character, String> GLYPHS = Map.ofEntries(
            Map.entry('0', "75557"), Map.entry('1', "26227"), Map.entry('2', "71747"), Map.entry('3', "71717"),
            Map.entry('4', "55711"), Map.entry('5', "74717"), Map.entry('6', "74757"), Map.entry('7', "71111"),
            Map.entry('8', "75757"), Map.entry('9', "75717"), Map.entry('A', "25755"), Map.entry('B', "65656"),
            Map.entry('C', "74447"), Map.entry('D', "65556"), Map.entry('E', "74647"), Map.entry('F', "74644"),
            Map.entry('G', "74557"), Map.entry('H', "55755"), Map.entry('I', "72227"), Map.entry('J', "11157"),
            Map.entry('K', "55655"), Map.entry('L', "44447"), Map.entry('M', "57755"), Map.entry('N', "75555"),
            Map.entry('O', "75557"), Map.entry('P', "75744"), Map.entry('Q', "75571"), Map.entry('R', "75655"),
            Map.entry('S', "74717"), Map.entry('T', "72222"), Map.entry('U', "55557"), Map.entry('V', "55552"),
            Map.entry('W', "55775"), Map.entry('X', "55255"), Map.entry('Y', "55222"), Map.entry('Z', "71247"),
            Map.entry(':', "02020"), Map.entry('-', "00700"), Map.entry('/', "11244"), Map.entry(' ', "00000"));

    private BitmapFont() {}

    /** Whether pixel (x, y) of {@code c}'s glyph is set; unknown characters draw as blanks. */
    static boolean pixel(char c, int x, int y) {
        String g = GLYPHS.get(Character.toUpperCase(c));
        if (g == null) {
            return false;
        }
        int row = g.charAt(y) - '0';
        return (row >> (WIDTH - 1 - x) & 1) == 1;
    }
}
