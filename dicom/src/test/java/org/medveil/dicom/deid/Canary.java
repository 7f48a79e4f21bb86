package org.medveil.dicom.deid;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.Environment;
import org.medveil.dicom.SequenceElement;
import org.medveil.dicom.Tag;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.VR;
import org.medveil.dicom.dict.DataDictionary;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes unique PHI markers into a real DICOM file: one per Annex E row (with dcmodify from dcmtk),
 * a marker nested in an item of every Annex E sequence, and, with the project's writer, private
 * attributes (plain, nested, safe-listed), deep nesting, an overlay and a curve.
 */
final class Canary {
    /** A marker written for one Annex E row; {@code nested} markers sit in item 0 of a sequence row. */
    record Mark(AnnexEEntry entry, VR vr, String value, boolean nested) {
        int tag() { return entry.tag(); }
    }

    static final String PRIVATE_CREATOR = "MVK TEST CREATOR";
    static final String PRIVATE_MARK = "MVKPRIVATE01";
    static final String PRIVATE_SQ_MARK = "MVKPRIVATESQ";
    static final String SAFE_PRIVATE_MARK = "MVKSAFEPRIV";
    static final String DEEP_NAME_MARK = "MVKDEEPNAME";
    static final String DEEP_ID_MARK = "MVKDEEPID";
    static final String DEEP_UID_MARK = "1.999.77.424242";
    static final String DEEP_PRIVATE_MARK = "MVKDEEPPRIV";
    static final String OVERLAY_MARK = "MVKOVERLAYCOMMENT";
    static final String CURVE_MARK = "MVKCURVELABEL";
    static final Set<VR> TEXT = Set.of(VR.AE, VR.CS, VR.LO, VR.LT, VR.PN, VR.SH, VR.ST, VR.UC, VR.UT);

    final Path file;
    final Map<Integer, Mark> written;
    final DicomFile dicom;

    private Canary(Path file, Map<Integer, Mark> written, DicomFile dicom) {
        this.file = file;
        this.written = written;
        this.dicom = dicom;
    }

    /** Every extra marker the project's writer puts in (all must disappear under the Basic Profile). */
    static List<String> ownMarks() {
        return List.of(PRIVATE_MARK, PRIVATE_SQ_MARK, SAFE_PRIVATE_MARK, DEEP_NAME_MARK, DEEP_ID_MARK, DEEP_UID_MARK,
                DEEP_PRIVATE_MARK, OVERLAY_MARK, CURVE_MARK);
    }

    /** The marks we try to write: every exact-tag row whose VR carries a string we can search for. */
    static List<Mark> candidates(AnnexETable table) {
        List<Mark> out = new ArrayList<>();
        DateTimeFormatter da = DateTimeFormatter.BASIC_ISO_DATE;
        int i = 0;
        for (AnnexEEntry e : table.entries()) {
            int g = Tag.group(e.tag());
            if (e.mask() != 0xFFFFFFFF || g == 0x0000 || g == 0x0002) {
                continue; // command and meta groups cannot be inserted into a data set
            }
            VR vr = DataDictionary.standard().vrOf(e.tag());
            String hex = String.format("%08X", e.tag());
            String v;
            i++;
            if (vr == VR.SQ) {
                out.add(new Mark(e, vr, "MVKSQ" + hex, true));
                continue;
            }
            if (TEXT.contains(vr)) {
                v = "MVK" + hex;
            } else {
                v = switch (vr) {
                    case DA -> LocalDate.of(1931, 1, 1).plusDays(3L * i).format(da);
                    case DT -> LocalDate.of(1931, 1, 1).plusDays(3L * i).format(da) + "101112";
                    case TM -> String.format("22%02d%02d.1357", i / 60 % 60, i % 60);
                    case DS -> String.format("9753.%03d", i);
                    case IS -> String.format("975%05d", i);
                    case AS -> String.format("%03dY", 70 + i % 20);
                    case UI -> String.format("1.999.77.1%04d", i); // fixed width: no marker is a prefix of another
                    case UR -> "http://mvk" + hex.toLowerCase() + ".invalid/";
                    default -> null; // binary VRs hold no searchable marker
                };
            }
            if (v != null) {
                out.add(new Mark(e, vr, v, false));
            }
        }
        return out;
    }

    /** Copies {@code source} into {@code dir} and writes the markers (dcmodify, then our writer). */
    static Canary build(Path source, Path dir, AnnexETable table) throws Exception {
        Path dcmodify = Environment.tool("dcmodify");
        Path f = dir.resolve("canary-" + source.getFileName());
        Files.copy(source, f);
        List<Mark> marks = candidates(table);
        for (int from = 0; from < marks.size(); from += 80) {
            List<String> cmd = new ArrayList<>(List.of(dcmodify.toString(), "-nb", "-ie", "-q"));
            for (Mark m : marks.subList(from, Math.min(marks.size(), from + 80))) {
                String path = Tag.toString(m.tag()) + (m.nested() ? "[0].(0010,0010)" : "");
                cmd.add("-i");
                cmd.add(path + "=" + m.value());
            }
            cmd.add(f.toString());
            Environment.run(cmd); // -ie: attributes dcmtk's dictionary refuses are skipped; we read back what landed
        }
        DicomFile read = new DicomReader().read(f);
        DataSet ds = read.dataSet();
        Map<Integer, Mark> written = new LinkedHashMap<>();
        for (Mark m : marks) {
            String actual = m.nested()
                    ? (ds.getSequence(m.tag()) != null && ds.getSequence(m.tag()).size() > 0
                    ? ds.getSequence(m.tag()).item(0).getString(Tag.PatientName) : null)
                    : ds.getString(m.tag());
            if (m.value().equals(actual == null ? null : actual.strip())) {
                written.put(m.tag(), m);
            }
        }
        // the canary is only meaningful if dcmodify really wrote (nearly) every row
        assertTrue(written.size() >= marks.size() * 9 / 10, "dcmodify wrote only " + written.size() + " of "
                + marks.size() + " Annex E markers into " + source.getFileName());
        addOwnMarks(ds);
        // compressed pixel data must stay encapsulated; everything else becomes explicit VR little endian,
        // so that dcmdump shows private text values as text (in implicit VR it prints them as hex)
        TransferSyntax ts = read.transferSyntax().encapsulated() ? read.transferSyntax() : TransferSyntax.EXPLICIT_LE;
        new DicomWriter().writeFile(new DicomFile(read.meta(), ds, ts, 0), f, ts);
        DicomFile reread = new DicomReader().read(f);
        String dump = Dcmdump.dump(f);
        for (String m : ownMarks()) {
            assertTrue(dump.contains(m), "marker " + m + " must be visible in the canary before de-identification");
        }
        for (Mark m : written.values()) {
            assertTrue(dump.contains(m.value()), "marker of " + m.entry().name() + " must be visible before de-identification");
        }
        return new Canary(f, written, reread);
    }

    private static void addOwnMarks(DataSet ds) {
        int block = ds.reservePrivateBlock(0x0009, PRIVATE_CREATOR);
        ds.putString(Tag.of(0x0009, (block << 8) | 0x01), VR.LO, PRIVATE_MARK);
        SequenceElement psq = ds.newSequence(Tag.of(0x0009, (block << 8) | 0x02), false);
        psq.addItem().putString(Tag.PatientName, VR.PN, PRIVATE_SQ_MARK);
        int safe = ds.reservePrivateBlock(0x0019, "SIEMENS MR HEADER");
        ds.putString(Tag.of(0x0019, (safe << 8) | 0x0C), VR.LO, SAFE_PRIVATE_MARK);
        // three levels deep, inside sequences the Annex E table does not list
        SequenceElement series = ds.newSequence(0x00081115, false); // Referenced Series Sequence
        DataSet s = series.addItem();
        s.putString(0x0020000E, VR.UI, "1.999.77.515151");
        DataSet deep = s.newSequence(0x0008114A, false).addItem(); // Referenced Instance Sequence
        deep.putString(0x00081150, VR.UI, "1.2.840.10008.5.1.4.1.1.2");
        deep.putString(0x00081155, VR.UI, DEEP_UID_MARK);
        DataSet deeper = deep.newSequence(0x0040A170, false).addItem(); // Purpose of Reference Code Sequence
        deeper.putString(Tag.PatientName, VR.PN, DEEP_NAME_MARK);
        deeper.putString(Tag.PatientID, VR.LO, DEEP_ID_MARK);
        int b = deeper.reservePrivateBlock(0x0011, PRIVATE_CREATOR);
        deeper.putString(Tag.of(0x0011, (b << 8) | 0x10), VR.LO, DEEP_PRIVATE_MARK);
        // overlay plane 6000 and curve 5000
        ds.putInts(0x60000010, VR.US, 8);
        ds.putInts(0x60000011, VR.US, 8);
        ds.putString(0x60000040, VR.CS, "G");
        ds.putInts(0x60000050, VR.SS, 1, 1);
        ds.putInts(0x60000100, VR.US, 1);
        ds.putInts(0x60000102, VR.US, 0);
        ds.putBytes(0x60003000, VR.OW, new byte[8]);
        ds.putString(0x60004000, VR.LT, OVERLAY_MARK);
        ds.putString(0x50002500, VR.LO, CURVE_MARK);
    }

    static void assertParsesCleanly(Path file) throws Exception {
        String[] r = Environment.run(List.of(Environment.tool("dcmdump").toString(), "-q", file.toString()));
        assertEquals("0", r[0], "dcmdump must parse the output: " + r[2]);
        assertTrue(!r[2].contains("E:") && !r[2].contains("W:"), "dcmdump reports problems: " + r[2]);
    }
}
