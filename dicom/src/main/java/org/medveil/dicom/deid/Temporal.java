package org.medveil.dicom.deid;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Date shifting, year generalization and age bands on DICOM DA, DT and AS strings. */
final class Temporal {
    private static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;

    private Temporal() {}

    /** A DA value moved by {@code days}, or null when it is not a valid date (the caller then empties it). */
    static String shiftDate(String da, int days) {
        String s = da.strip();
        if (s.length() != 8) {
            return null;
        }
        try {
            return LocalDate.parse(s, DA).plusDays(days).format(DA);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** A DT value with its date part moved by {@code days}; time and offset kept. */
    static String shiftDateTime(String dt, int days) {
        String s = dt.strip();
        if (s.length() < 8) {
            return null;
        }
        String d = shiftDate(s.substring(0, 8), days);
        return d == null ? null : d + s.substring(8);
    }

    /** DA generalized to 1 January of its year. */
    static String yearOfDate(String da) {
        String s = da.strip();
        return s.length() >= 4 && s.substring(0, 4).chars().allMatch(Character::isDigit) ? s.substring(0, 4) + "0101" : null;
    }

    /** DT generalized to its year (DT allows "YYYY"). */
    static String yearOfDateTime(String dt) {
        String s = dt.strip();
        return s.length() >= 4 && s.substring(0, 4).chars().allMatch(Character::isDigit) ? s.substring(0, 4) : null;
    }

    /**
     * An AS value ("045Y", "006M", ...) as the lower bound of a band {@code width} years wide;
     * under one year becomes 000Y and 90 or more becomes 090Y (a small group that identifies).
     */
    static String ageBand(String as, int width) {
        String s = as.strip();
        if (s.length() != 4 || !s.substring(0, 3).chars().allMatch(Character::isDigit)) {
            return null;
        }
        int n = Integer.parseInt(s.substring(0, 3));
        int years = switch (s.charAt(3)) {
            case 'Y' -> n;
            case 'M' -> n / 12;
            case 'W' -> n / 52;
            case 'D' -> n / 365;
            default -> -1;
        };
        if (years < 0) {
            return null;
        }
        int band = years >= 90 ? 90 : years / width * width;
        return String.format("%03dY", band);
    }
}
