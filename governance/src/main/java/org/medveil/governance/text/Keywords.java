package org.medveil.governance.text;

/** Keyword matching in free-text descriptions, shared by classification and grading. */
public final class Keywords {

    private Keywords() {
    }

    /**
     * True when {@code lowerText} (already lower-cased) mentions {@code keyword}. Short Latin
     * keywords (4 letters or fewer, e.g. "hiv", "eit", "bold") must stand as a whole word so that
     * "paraids" is not "aids"; longer and Chinese keywords match anywhere.
     */
    public static boolean mentions(String lowerText, String keyword) {
        boolean shortLatin = keyword.length() <= 4 && keyword.chars().allMatch(c -> c < 128);
        if (!shortLatin) {
            return lowerText.contains(keyword);
        }
        for (int i = lowerText.indexOf(keyword); i >= 0; i = lowerText.indexOf(keyword, i + 1)) {
            int end = i + keyword.length();
            if ((i == 0 || !Character.isLetterOrDigit(lowerText.charAt(i - 1)))
                    && (end == lowerText.length() || !Character.isLetterOrDigit(lowerText.charAt(end)))) {
                return true;
            }
        }
        return false;
    }
}
