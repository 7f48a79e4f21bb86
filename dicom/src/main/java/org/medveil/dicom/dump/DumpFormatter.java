package org.medveil.dicom.dump;

import org.medveil.dicom.BulkDataElement;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.Element;
import org.medveil.dicom.FragmentsElement;
import org.medveil.dicom.SequenceElement;
import org.medveil.dicom.SpecificCharacterSet;
import org.medveil.dicom.Tag;
import org.medveil.dicom.VR;
import org.medveil.dicom.ValueElement;
import org.medveil.dicom.Values;
import org.medveil.dicom.dict.DataDictionary;
import org.medveil.dicom.dict.Uids;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Formats a data set the way dcmtk's {@code dcmdump} does: one line per element with tag, VR,
 * value, length, multiplicity and keyword; nested items indented by two spaces per level. Text is
 * decoded with the data set's Specific Character Set (like {@code dcmdump +U8}).
 */
public final class DumpFormatter {
    private static final int DEFAULT_MAX_VALUE = 64;

    private final DataDictionary dict;
    private final Uids uids;
    private final boolean printAll;
    private final boolean uidNames;

    /**
     * @param printAll print long values completely instead of cutting them at 64 characters
     * @param uidNames print well-known UIDs as "=Name" (dcmdump's default, off with -Un)
     */
    public DumpFormatter(DataDictionary dict, Uids uids, boolean printAll, boolean uidNames) {
        this.dict = dict;
        this.uids = uids;
        this.printAll = printAll;
        this.uidNames = uidNames;
    }

    public DumpFormatter(boolean printAll) { this(DataDictionary.standard(), Uids.standard(), printAll, true); }

    /** Appends the dump of {@code ds} to {@code out}. */
    public void format(DataSet ds, StringBuilder out) { format(ds, 0, out); }

    public String format(DataSet ds) {
        StringBuilder sb = new StringBuilder();
        format(ds, sb);
        return sb.toString();
    }

    private void format(DataSet ds, int depth, StringBuilder out) {
        String indent = "  ".repeat(depth);
        for (Element e : ds.elements()) {
            if (e instanceof SequenceElement s) {
                line(out, indent, e.tag(), "SQ", "(Sequence with " + (s.undefinedLength() ? "undefined" : "explicit")
                        + " length #=" + s.size() + ")", s.undefinedLength() ? "u/l" : "?", 1, keyword(e.tag()));
                for (DataSet item : s.items()) {
                    line(out, indent + "  ", Tag.Item, "na", "(Item with " + (item.undefinedLengthItem() ? "undefined" : "explicit")
                            + " length #=" + item.size() + ")", item.undefinedLengthItem() ? "u/l" : "?", 1, "Item");
                    format(item, depth + 2, out);
                    line(out, indent + "  ", Tag.ItemDelimitationItem, "na", "(ItemDelimitationItem)", "0", 0, "ItemDelimitationItem");
                }
                line(out, indent, Tag.SequenceDelimitationItem, "na", "(SequenceDelimitationItem)", "0", 0, "SequenceDelimitationItem");
            } else if (e instanceof FragmentsElement f) {
                line(out, indent, e.tag(), e.vr().name(), "(PixelSequence #=" + f.items().size() + ")", "u/l", 1, keyword(e.tag()));
                for (byte[] item : f.items()) {
                    line(out, indent + "  ", Tag.Item, "pi", item.length == 0 ? "(no value available)" : hex(item, VR.OB),
                            Integer.toString(item.length), 1, "Item");
                }
                line(out, indent, Tag.SequenceDelimitationItem, "na", "(SequenceDelimitationItem)", "0", 0, "SequenceDelimitationItem");
            } else if (e instanceof BulkDataElement b) {
                line(out, indent, e.tag(), e.vr().name(), "(not loaded)", b.length() < 0 ? "u/l" : Long.toString(b.length()), 1, keyword(e.tag()));
            } else {
                ValueElement v = (ValueElement) e;
                String[] value = value(v, ds.charset());
                line(out, indent, v.tag(), v.vr().name(), value[0], Integer.toString(v.length()), Integer.parseInt(value[1]), keyword(v.tag()));
            }
        }
    }

    private String keyword(int tag) { return dict.keywordOf(tag); }

    private void line(StringBuilder out, String indent, int tag, String vr, String value, String len, int vm, String kw) {
        if (!printAll && value.length() > DEFAULT_MAX_VALUE + 2) {
            value = value.substring(0, DEFAULT_MAX_VALUE) + "...";
        }
        out.append(indent).append(Tag.toString(tag)).append(' ').append(vr).append(' ');
        out.append(value);
        int pad = 40 - value.length();
        out.append(" ".repeat(Math.max(pad, 0))).append(" # ");
        out.append(" ".repeat(Math.max(3 - len.length(), 0))).append(len).append(", ").append(vm).append(' ').append(kw).append('\n');
    }

    /** {formatted value, value multiplicity}. */
    private String[] value(ValueElement v, SpecificCharacterSet cs) {
        byte[] b = v.value();
        if (b.length == 0) {
            return new String[] {"(no value available)", "0"};
        }
        VR vr = v.vr();
        if (vr.isText()) {
            List<String> parts = Values.strings(v, cs);
            if (uidNames && vr == VR.UI && parts.size() == 1) {
                String name = uids.nameOf(parts.get(0));
                if (name != null) {
                    return new String[] {"=" + name, "1"};
                }
            }
            return new String[] {"[" + String.join("\\", rawParts(v, cs)) + "]", Integer.toString(Math.max(parts.size(), 1))};
        }
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        StringBuilder sb = new StringBuilder();
        int n = 0;
        switch (vr) {
            case US, SS, UL, SL, FL, FD, AT, SV, UV, OF, OD, OL -> {
                int unit = vr == VR.AT ? 4 : vr.unitSize();
                int maxValues = printAll ? Integer.MAX_VALUE : 16;
                while (bb.remaining() >= unit) {
                    if (n++ > 0) {
                        sb.append('\\');
                    }
                    if (n > maxValues) {
                        sb.append("...");
                        n = b.length / unit;
                        break;
                    }
                    switch (vr) {
                        case US -> sb.append(Short.toUnsignedInt(bb.getShort()));
                        case SS -> sb.append(bb.getShort());
                        case UL, OL -> sb.append(Integer.toUnsignedLong(bb.getInt()));
                        case SL -> sb.append(bb.getInt());
                        case FL, OF -> sb.append(bb.getFloat());
                        case FD, OD -> sb.append(bb.getDouble());
                        case SV -> sb.append(bb.getLong());
                        case UV -> sb.append(Long.toUnsignedString(bb.getLong()));
                        default -> sb.append(String.format("(%04x,%04x)", Short.toUnsignedInt(bb.getShort()), Short.toUnsignedInt(bb.getShort())));
                    }
                }
                return new String[] {sb.toString(), Integer.toString(n)};
            }
            default -> {
                return new String[] {hex(b, vr), "1"};
            }
        }
    }

    /** Text values as dcmdump shows them: decoded, trailing padding removed, inner spaces kept. */
    private static List<String> rawParts(ValueElement v, SpecificCharacterSet cs) {
        String s = v.vr().usesCharset() ? cs.decode(v.value(), v.vr() == VR.PN)
                : new String(v.value(), java.nio.charset.StandardCharsets.ISO_8859_1);
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\0')) {
            end--;
        }
        return List.of(s.substring(0, end));
    }

    private String hex(byte[] b, VR vr) {
        int limit = printAll ? b.length : Math.min(b.length, 64);
        StringBuilder sb = new StringBuilder();
        if (vr == VR.OW && b.length % 2 == 0) {
            for (int i = 0; i + 1 < limit; i += 2) {
                if (i > 0) {
                    sb.append('\\');
                }
                sb.append(String.format("%02x%02x", b[i + 1], b[i]));
            }
        } else {
            for (int i = 0; i < limit; i++) {
                if (i > 0) {
                    sb.append('\\');
                }
                sb.append(Character.forDigit((b[i] >> 4) & 0xF, 16)).append(Character.forDigit(b[i] & 0xF, 16));
            }
        }
        return sb.toString();
    }
}
