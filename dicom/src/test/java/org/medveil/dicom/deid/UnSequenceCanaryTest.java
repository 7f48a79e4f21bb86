package org.medveil.dicom.deid;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.Element;
import org.medveil.dicom.Environment;
import org.medveil.dicom.SequenceElement;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.VR;
import org.medveil.dicom.ValueElement;
import org.medveil.dicom.dict.DataDictionary;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9 part 1: PHI in sequences encoded as UN. A node without the dictionary that re-encodes
 * implicit data in explicit VR writes every sequence as UN, with defined length (the value is the
 * implicit VR little endian items, PS3.5 §6.2.2) or undefined length (CP-246). This test builds
 * such files on a real CT (pydicom's CT_small) with its own encoder (our writer never produces UN
 * sequences), plants markers in kept and removed attributes at the top level and three deep, in
 * private blocks and in the file meta header, de-identifies them and checks that no marker
 * survives in any output byte or in dcmdump's listing, that kept sequences come back as SQ with
 * their kept content unchanged and their UIDs replaced consistently, and that dcmdump reads every
 * output without a warning.
 */
@Tag("REQ-DEID-3")
class UnSequenceCanaryTest {
    private static final ProjectKey KEY = new ProjectKey("UN canary project key, 32 bytes!".getBytes());
    private static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    private static final String UID1 = "1.999.55.1";
    private static final String UID2 = "1.999.55.2";
    private static final String UID3 = "1.999.55.3";
    private static final String SERIES_UID = "1.999.55.4";
    private static final String SOP_UID = "1.999.55.5";
    private static final String IMPL_UID = "1.999.55.6";
    private static final String PRIVATE_INFO_CREATOR_UID = "1.999.55.7";
    private static final String STUDY_UID = "1.999.55.9";
    private static final byte[] LUT_DESCRIPTOR = {2, 0, 0, 0, 16, 0}; // 2 entries, first mapped 0, 16 bits
    private static final byte[] LUT_DATA = {0x10, 0, 0x20, 0};

    /** Every marker that identifies someone: none may survive (unless the option keeps it, see {@link #keptBy}). */
    private static final List<String> PHI = List.of(
            "MVUNINSTITUTION", "MVUNTOPNAME", "MVUNGIVEN", "MVUNTOPPID", "MVUNTOPOTHERID", "MVUNGARBAGE1", "MVUNGARBAGE2",
            "MVUNL3DEFNAME", "MVUNL3UNDEFNAME", "MVUNL3UNDEFACC", "MVUNREFIMGNAME", "MVUNSRCOTHERID",
            "MVUNLUTNAME", "MVUNLUTACC", "MVUNLUTOTHERID", "MVUNVOINAME", "MVUNVOIOTHERID",
            "MVUNPPCNAME", "MVUNPPCACC", "MVUNDEEPNAME", "MVUNDEEPOTHERID", "MVUNREQNAME", "MVUNREQACC",
            "MVUNPRIVBLOB", "MVUNPRIVSQNAME", "MVUNPRIVSQDEF", "MVUNPRIVUNCREATOR", "MVUNSAFESQNAME", "MVUNUNKNOWNTAG",
            "MVUNBODYAE", "MVUNITEMAE", "MVUNIMPLVER", "MVUNSRCAE", "MVUNSENDAE", "MVUNRECVAE", "MVUNPRIVINFO",
            UID1, UID2, UID3, SERIES_UID, SOP_UID, IMPL_UID, PRIVATE_INFO_CREATOR_UID, STUDY_UID);

    /** Values of kept attributes inside UN-encoded sequences: all must come back, readable (SQ, not UN). */
    private static final List<String> KEPT = List.of("MVKEEP LUT EXPLANATION", "MVKEEP VOI EXPLANATION", "MVKEEPCODE",
            "MVKEEP PROTOCOL MEANING", "MVKEEP DEEP MEANING", "MVKEEPPURPOSE", "MVKEEP PURPOSE MEANING",
            "MVKEEP UNDEF MEANING", "MVKEEP SOURCE PURPOSE");

    /** Sequences that arrive as UN (in the explicit variant) and are kept under every profile tested. */
    private static final List<Integer> KEPT_SEQUENCES = List.of(0x00283000, 0x00283010, 0x00400260, 0x00081140,
            0x00082112, 0x00081115);

    /** How the sequences of the canary are encoded. */
    enum Encoding {
        /** Explicit VR little endian, sequences and some values as UN (defined and undefined length). */
        EXPLICIT_UN,
        /** The same content in implicit VR little endian: standard sequences are known from the dictionary, private ones are UN. */
        IMPLICIT
    }

    @TempDir
    Path dir;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Encoding e : Encoding.values()) {
            for (String option : List.of("basic", "retain-safe-private", "clean-descriptors", "retain-uids")) {
                out.add(Arguments.of(e, option));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}, {1}: no marker survives, kept sequences come back as SQ")
    @MethodSource("cases")
    @DisplayName("REQ-DEID-3 UN-encoded sequence canary")
    void noMarkerSurvivesUnEncodedSequences(Encoding encoding, String option) throws Exception {
        Path in = build(encoding, dir.resolve("in-" + encoding + ".dcm"));
        assertInputIsWhatWeMeant(in, encoding);
        DeidProfile profile = option.equals("basic") ? DeidProfile.basic()
                : DeidProfile.withOptions(option, Set.of(ProfileOption.fromId(option)));
        Path out = deidentify(in, profile, dir.resolve("out-" + encoding + "-" + option + ".dcm"));

        String raw = new String(Files.readAllBytes(out), StandardCharsets.ISO_8859_1);
        String dump = Dcmdump.dump(out);
        Set<String> kept = keptBy(profile);
        List<String> leaked = new ArrayList<>();
        for (String m : PHI) {
            if (!kept.contains(m) && (raw.contains(m) || dump.contains(m))) {
                leaked.add(m);
            }
        }
        assertEquals(List.of(), leaked, "markers left after " + option + " (raw bytes or dcmdump +L)");
        Canary.assertParsesCleanly(out);
        for (String m : KEPT) {
            assertTrue(dump.contains(m), "kept value '" + m + "' must come back readable in a sequence");
        }
        for (String m : kept) {
            assertTrue(raw.contains(m), option + " keeps '" + m + "'");
        }
        for (int tag : KEPT_SEQUENCES) {
            assertTrue(dump.contains(org.medveil.dicom.Tag.toString(tag).toLowerCase() + " SQ"),
                    org.medveil.dicom.Tag.toString(tag) + " must be written back as SQ");
        }
        DicomFile result = new DicomReader().read(out);
        assertStructure(result.dataSet(), profile);
        assertMetaRebuilt(result.meta());
    }

    /** The UN-encoded file de-identifies to the same data set as the same content encoded without UN. */
    @Test
    @DisplayName("REQ-DEID-3 UN-encoded and implicit input give the same de-identified data set")
    void unEncodingChangesNothingInTheResult() throws Exception {
        DataSet un = new DicomReader().read(deidentify(build(Encoding.EXPLICIT_UN, dir.resolve("a.dcm")),
                DeidProfile.basic(), dir.resolve("a-out.dcm"))).dataSet();
        DataSet implicit = new DicomReader().read(deidentify(build(Encoding.IMPLICIT, dir.resolve("b.dcm")),
                DeidProfile.basic(), dir.resolve("b-out.dcm"))).dataSet();
        List<String> differ = new ArrayList<>();
        Set<Integer> tags = new TreeSet<>(Integer::compareUnsigned);
        un.elements().forEach(e -> tags.add(e.tag()));
        implicit.elements().forEach(e -> tags.add(e.tag()));
        for (int t : tags) {
            if (!java.util.Objects.equals(un.get(t), implicit.get(t))) {
                differ.add(org.medveil.dicom.Tag.toString(t));
            }
        }
        assertEquals(List.of(), differ, "elements that differ between the UN-encoded and the implicit input's results");
        assertEquals(un, implicit);
    }

    /** The reader helper replaces the UN element only when the value parses, and restores it otherwise. */
    @Test
    void readUnSequenceRestoresTheElementWhenTheValueIsNotASequence() throws Exception {
        DataSet ds = new DataSet();
        ValueElement garbage = new ValueElement(0x00081140, VR.UN, "MVUNGARBAGE".getBytes(StandardCharsets.US_ASCII));
        ds.put(garbage);
        assertThrows(org.medveil.dicom.DicomParseException.class,
                () -> new DicomReader().readUnSequence(ds, 0x00081140, garbage.value()));
        assertEquals(garbage, ds.get(0x00081140));
        byte[] items = item(false, implicitBody(List.of(val(0x00081155, "UI", UID1))));
        SequenceElement s = new DicomReader().readUnSequence(ds, 0x00081140, items);
        assertEquals(1, s.size());
        assertEquals(UID1, s.item(0).getString(0x00081155));
        assertTrue(ds.get(0x00081140) == s);
    }

    /** Markers an option is expected to keep. */
    private static Set<String> keptBy(DeidProfile profile) {
        Set<String> kept = new TreeSet<>();
        if (profile.has(ProfileOption.RETAIN_SAFE_PRIVATE)) {
            kept.add("MVSAFEPRIV");
            kept.add("MVSAFESQKEEP");
        }
        if (profile.has(ProfileOption.RETAIN_UIDS)) {
            kept.addAll(List.of(UID1, UID2, UID3, SERIES_UID, SOP_UID, STUDY_UID)); // never the meta's own UIDs
        }
        return kept;
    }

    private Path deidentify(Path in, DeidProfile profile, Path out) throws Exception {
        DeidResult r = Deidentifier.of(profile, KEY).deidentify(new DicomReader().read(in));
        new DicomWriter().writeFile(r.file(), out, r.outputSyntax());
        return out;
    }

    /** The canary holds what it should: UN sequences our reader leaves as UN, markers dcmtk can read as sequences. */
    private static void assertInputIsWhatWeMeant(Path in, Encoding encoding) throws Exception {
        DicomFile f = new DicomReader().read(in);
        String raw = new String(Files.readAllBytes(in), StandardCharsets.ISO_8859_1);
        for (String m : PHI) {
            if (encoding == Encoding.EXPLICIT_UN || !m.startsWith("MVUNGARBAGE")) {
                assertTrue(raw.contains(m), "marker " + m + " must be in the canary");
            }
        }
        // dcmtk converts UN with a dictionary VR of SQ when asked (+uc): the markers are then inside real items
        // (it stops at the deliberately unparseable ones, so it reads a twin without them)
        Path twin = build(encoding, in.resolveSibling("twin-" + in.getFileName()), false);
        String[] r = Environment.run(List.of(Environment.tool("dcmdump").toString(), "+uc", "+L", twin.toString()));
        assertEquals("0", r[0], "dcmdump must read the canary: " + r[2]);
        for (String m : List.of("MVUNL3DEFNAME", "MVUNL3UNDEFNAME", "MVUNLUTNAME", "MVUNVOINAME", "MVUNDEEPNAME",
                "MVKEEP DEEP MEANING", "MVKEEP LUT EXPLANATION")) {
            assertTrue(r[1].contains(m), "dcmdump +uc must see " + m + " as text inside a sequence");
        }
        if (encoding == Encoding.EXPLICIT_UN) {
            for (int tag : List.of(0x00283000, 0x00400260, 0x00081140, 0x00081110)) {
                assertInstanceOf(ValueElement.class, f.dataSet().get(tag), "defined-length UN stays UN in the reader");
                assertEquals(VR.UN, f.dataSet().get(tag).vr());
            }
            assertEquals(VR.UN, f.dataSet().get(0x00100010).vr());
        }
        assertEquals("MVUNSRCAE", f.meta().getString(0x00020016));
    }

    /** Kept content unchanged, removed attributes gone, UIDs replaced consistently. */
    private static void assertStructure(DataSet ds, DeidProfile profile) {
        boolean retainUids = profile.has(ProfileOption.RETAIN_UIDS);
        // Modality LUT Sequence: kept attributes byte for byte, identifiers replaced or removed
        DataSet lut = seq(ds, 0x00283000).item(0);
        assertArrayEquals(LUT_DESCRIPTOR, lut.getBytes(0x00283002));
        assertEquals("MVKEEP LUT EXPLANATION", lut.getString(0x00283003));
        assertEquals("HU", lut.getString(0x00283004));
        assertArrayEquals(LUT_DATA, lut.getBytes(0x00283006));
        assertTrue(lut.getString(0x00100010).matches("MV[A-Z0-9]{14}"), "Patient's Name in an item gets a pseudonym");
        assertTrue(lut.getString(0x00080050).matches("A[A-Z0-9]{15}"), "Accession Number in an item gets a pseudonym");
        assertFalse(lut.contains(0x00101000), "Other Patient IDs in an item is removed");
        assertFalse(lut.contains(0x00020016), "a meta element inside an item is removed");
        DataSet voi = seq(ds, 0x00283010).item(0);
        assertEquals("MVKEEP VOI EXPLANATION", voi.getString(0x00283003));
        assertFalse(voi.contains(0x00101000));
        DataSet ppc = seq(ds, 0x00400260).item(0);
        assertEquals("MVKEEPCODE", ppc.getString(0x00080100));
        assertEquals("99MV", ppc.getString(0x00080102));
        assertEquals("MVKEEP PROTOCOL MEANING", ppc.getString(0x00080104));
        DataSet deep = seq(seq(seq(ppc, 0x00081115).item(0), 0x0008114A).item(0), 0x0040A170).item(0);
        assertEquals("MVKEEP DEEP MEANING", deep.getString(0x00080104));
        assertFalse(deep.contains(0x00101000));

        // the same original UID gets the same substitute wherever it is, nested in UN or in SQ
        String ref1 = seq(ds, 0x00081140).item(0).getString(0x00081155);
        String ref2 = seq(ds, 0x00081140).item(1).getString(0x00081155);
        DataSet series = seq(ds, 0x00081115).item(0);
        assertEquals(ref1, seq(series, 0x0008114A).item(0).getString(0x00081155));
        assertEquals(ref2, seq(series, 0x0008114A).item(1).getString(0x00081155));
        assertEquals(ref2, seq(ds, 0x00082112).item(0).getString(0x00081155));
        assertEquals(CT, seq(ds, 0x00081140).item(0).getString(0x00081150), "standard UIDs are never replaced");
        String ref3 = deep.getString(0x00081155);
        if (retainUids) {
            assertEquals(List.of(UID1, UID2, UID3), List.of(ref1, ref2, ref3));
        } else {
            for (String u : List.of(ref1, ref2, ref3)) {
                assertTrue(u.startsWith("2.25."), "replaced UID " + u);
            }
            assertEquals(3, Set.of(ref1, ref2, ref3).size(), "different UIDs stay different");
            assertEquals(KEY.uid(UID1), ref1);
            assertEquals(KEY.uid(STUDY_UID), ds.getString(0x0020000D), "Study Instance UID arrived as UN and is replaced");
        }
        DataSet purpose = seq(seq(series, 0x0008114A).item(0), 0x0040A170).item(0);
        assertEquals("MVKEEP PURPOSE MEANING", purpose.getString(0x00080104));
        assertTrue(purpose.getString(0x00100010).startsWith("MV"));

        // top-level values that arrived as UN got their row's action with the dictionary VR
        assertEquals(VR.PN, ds.get(0x00100010).vr());
        assertTrue(ds.getString(0x00100010).matches("MV[A-Z0-9]{14}"));
        assertEquals(ds.getString(0x00100020), ds.getString(0x00100010), "name pseudonym follows the patient ID");
        assertFalse(ds.contains(0x00101000));
        assertEquals("ANONYMOUS", ds.getString(0x00080080), "Institution Name (X/Z/D) gets a dummy");
        if (profile.has(ProfileOption.CLEAN_DESCRIPTORS)) {
            assertEquals("HEAD SCAN FOR *", ds.getString(0x00081030), "the patient's name is cleaned out of the description");
            assertNotNull(ds.getSequence(0x00400275), "Request Attributes Sequence is cleaned, not removed");
        } else {
            assertFalse(ds.contains(0x00081030));
            assertFalse(ds.contains(0x00400275), "Request Attributes Sequence (X) is removed");
        }
        // unparseable UN sequences and UNs of unknown tags are removed, not passed through
        assertFalse(ds.contains(0x00081110));
        assertFalse(ds.contains(0x0040A043));
        assertFalse(ds.contains(0x0022FF00));
        for (Element e : ds.elements()) {
            int g = org.medveil.dicom.Tag.group(e.tag());
            assertNotEquals(0x0002, g, "no meta element in the data set");
            assertFalse(g == 0x0033 || g == 0x0035, "private block " + org.medveil.dicom.Tag.toString(e.tag()) + " removed");
            if (g == 0x0019 && (e.tag() & 0xFF00) == 0x1100) {
                assertTrue(profile.has(ProfileOption.RETAIN_SAFE_PRIVATE), "safe private kept only under its option");
            }
        }
        if (profile.has(ProfileOption.RETAIN_SAFE_PRIVATE)) {
            DataSet safe = seq(ds, 0x00191108).item(0);
            assertEquals("MVSAFESQKEEP", safe.getString(0x00080104));
            assertTrue(safe.getString(0x00100010).startsWith("MV"), "a kept private sequence is de-identified inside");
        }
    }

    private static void assertMetaRebuilt(DataSet meta) {
        Set<Integer> allowed = Set.of(0x00020000, 0x00020001, 0x00020002, 0x00020003, 0x00020010, 0x00020012, 0x00020013);
        for (Element e : meta.elements()) {
            assertTrue(allowed.contains(e.tag()), "meta element " + org.medveil.dicom.Tag.toString(e.tag()) + " must not be copied");
        }
        assertEquals(DicomWriter.IMPLEMENTATION_VERSION, meta.getString(0x00020013));
        assertEquals(DicomWriter.IMPLEMENTATION_CLASS_UID, meta.getString(0x00020012));
    }

    private static SequenceElement seq(DataSet ds, int tag) {
        Element e = ds.get(tag);
        assertInstanceOf(SequenceElement.class, e, org.medveil.dicom.Tag.toString(tag) + " must be a sequence, not " + e);
        SequenceElement s = (SequenceElement) e;
        assertFalse(s.items().isEmpty(), org.medveil.dicom.Tag.toString(tag) + " must keep its items");
        return s;
    }

    // ---- the canary's content ------------------------------------------------------------------

    /** How a sequence is encoded in the explicit variant (the implicit variant has no VR to say UN). */
    enum Form { SQ, UN_DEFINED, UN_UNDEFINED }

    /** An element of the canary: a value (written as UN when {@code un}), a sequence, or pre-encoded bytes. */
    sealed interface Node permits Val, Seq, Raw {
        int tag();
    }

    record Val(int tag, String vr, byte[] value, boolean un) implements Node {}

    record Seq(int tag, Form form, boolean undefinedItems, List<List<Node>> items) implements Node {}

    record Raw(int tag, byte[] encoded) implements Node {}

    private static Val val(int tag, String vr, String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        if ((b.length & 1) == 1) {
            b = Arrays.copyOf(b, b.length + 1);
            b[b.length - 1] = (byte) (vr.equals("UI") ? 0 : ' ');
        }
        return new Val(tag, vr, b, false);
    }

    private static Val bin(int tag, String vr, byte[] value) { return new Val(tag, vr, value, false); }

    private static Val asUn(Val v) { return new Val(v.tag(), v.vr(), v.value(), true); }

    @SafeVarargs
    private static Seq sq(int tag, Form form, boolean undefinedItems, List<Node>... items) {
        return new Seq(tag, form, undefinedItems, List.of(items));
    }

    private static List<Node> content(Encoding enc, boolean garbage) {
        List<Node> top = new ArrayList<>();
        top.add(asUn(val(0x00080018, "UI", SOP_UID)));
        top.add(asUn(val(0x00080080, "LO", "MVUNINSTITUTION")));
        top.add(asUn(val(0x00081030, "LO", "HEAD SCAN FOR MVUNTOPNAME")));
        if (garbage) {
            // dictionary says SQ, the value is no sequence: must be removed, never passed through
            top.add(asUn(val(0x00081110, "SQ", "MVUNGARBAGE1 is not an item")));
            top.add(asUn(val(0x0040A043, "SQ", "MVUNGARBAGE2 neither")));
        }
        // three deep: SQ > item > SQ > item > UN sequence (defined, then undefined length) > item
        top.add(sq(0x00081115, Form.SQ, false, List.of(
                val(0x0020000E, "UI", SERIES_UID),
                sq(0x0008114A, Form.SQ, false,
                        List.of(val(0x00081150, "UI", CT), val(0x00081155, "UI", UID1),
                                sq(0x0040A170, Form.UN_DEFINED, false, List.of(
                                        val(0x00080100, "SH", "MVKEEPPURPOSE"), val(0x00080102, "SH", "99MV"),
                                        val(0x00080104, "LO", "MVKEEP PURPOSE MEANING"),
                                        val(0x00100010, "PN", "MVUNL3DEFNAME")))),
                        List.of(val(0x00081150, "UI", CT), val(0x00081155, "UI", UID2),
                                sq(0x0040A170, Form.UN_UNDEFINED, true, List.of(
                                        val(0x00080050, "SH", "MVUNL3UNDEFACC"),
                                        val(0x00080104, "LO", "MVKEEP UNDEF MEANING"),
                                        val(0x00100010, "PN", "MVUNL3UNDEFNAME"))))))));
        // UID-bearing sequence (X/Z/U*): kept, nested UIDs replaced
        top.add(sq(0x00081140, Form.UN_DEFINED, false,
                List.of(val(0x00081150, "UI", CT), val(0x00081155, "UI", UID1)),
                List.of(val(0x00081150, "UI", CT), val(0x00081155, "UI", UID2), val(0x00100010, "PN", "MVUNREFIMGNAME"))));
        top.add(sq(0x00082112, Form.UN_UNDEFINED, false, List.of(
                val(0x00081150, "UI", CT), val(0x00081155, "UI", UID2),
                sq(0x0040A170, Form.SQ, true, List.of(
                        val(0x00080104, "LO", "MVKEEP SOURCE PURPOSE"), val(0x00101000, "LO", "MVUNSRCOTHERID"))))));
        top.add(asUn(val(0x00100010, "PN", "MVUNTOPNAME^MVUNGIVEN")));
        top.add(asUn(val(0x00100020, "LO", "MVUNTOPPID")));
        top.add(asUn(val(0x00101000, "LO", "MVUNTOPOTHERID")));
        // a safe-listed private block (Retain Safe Private keeps it): a UN blob and a UN sequence
        top.add(val(0x00190011, "LO", "SIEMENS MR HEADER"));
        top.add(sq(0x00191108, Form.UN_UNDEFINED, false, List.of(
                val(0x00080104, "LO", "MVSAFESQKEEP"), val(0x00100010, "PN", "MVUNSAFESQNAME"))));
        top.add(asUn(val(0x0019110C, "LO", "MVSAFEPRIV")));
        top.add(asUn(val(0x0020000D, "UI", STUDY_UID)));
        top.add(asUn(val(0x0022FF00, "LO", "MVUNUNKNOWNTAG")));
        top.add(sq(0x00283000, Form.UN_DEFINED, false, List.of(
                val(0x00020016, "AE", "MVUNITEMAE"),
                val(0x00080050, "SH", "MVUNLUTACC"), val(0x00100010, "PN", "MVUNLUTNAME"),
                val(0x00101000, "LO", "MVUNLUTOTHERID"), bin(0x00283002, "US", LUT_DESCRIPTOR),
                val(0x00283003, "LO", "MVKEEP LUT EXPLANATION"), val(0x00283004, "LO", "HU"),
                bin(0x00283006, "OW", LUT_DATA))));
        top.add(sq(0x00283010, Form.UN_UNDEFINED, true, List.of(
                val(0x00100010, "PN", "MVUNVOINAME"), val(0x00101000, "LO", "MVUNVOIOTHERID"),
                bin(0x00283002, "US", LUT_DESCRIPTOR), val(0x00283003, "LO", "MVKEEP VOI EXPLANATION"),
                bin(0x00283006, "OW", LUT_DATA))));
        // private blocks: a UN blob, UN sequences of both lengths, and a block whose creator is itself UN
        top.add(val(0x00330010, "LO", "MVK TEST CREATOR"));
        top.add(asUn(val(0x00331001, "LO", "MVUNPRIVBLOB")));
        top.add(sq(0x00331002, Form.UN_UNDEFINED, false, List.of(val(0x00100010, "PN", "MVUNPRIVSQNAME"))));
        top.add(sq(0x00331003, Form.UN_DEFINED, false, List.of(val(0x00100010, "PN", "MVUNPRIVSQDEF"))));
        top.add(asUn(val(0x00350010, "LO", "MVK TEST CREATOR")));
        top.add(asUn(val(0x00351001, "LO", "MVUNPRIVUNCREATOR")));
        // kept sequence, three more levels inside the UN value
        top.add(sq(0x00400260, Form.UN_DEFINED, false, List.of(
                val(0x00080050, "SH", "MVUNPPCACC"), val(0x00080100, "SH", "MVKEEPCODE"), val(0x00080102, "SH", "99MV"),
                val(0x00080104, "LO", "MVKEEP PROTOCOL MEANING"), val(0x00100010, "PN", "MVUNPPCNAME"),
                sq(0x00081115, Form.SQ, false, List.of(
                        sq(0x0008114A, Form.SQ, true, List.of(
                                sq(0x0040A170, Form.SQ, false, List.of(
                                        val(0x00080104, "LO", "MVKEEP DEEP MEANING"), val(0x00081155, "UI", UID3),
                                        val(0x00100010, "PN", "MVUNDEEPNAME"),
                                        val(0x00101000, "LO", "MVUNDEEPOTHERID"))))))))));
        // removed (X) sequence; Clean Descriptors keeps it and cleans inside
        top.add(sq(0x00400275, Form.UN_DEFINED, false, List.of(
                val(0x00080050, "SH", "MVUNREQACC"), val(0x00100010, "PN", "MVUNREQNAME"))));
        return top;
    }

    /** Meta header with markers in every element a sender may fill in. */
    private static List<Node> meta(TransferSyntax ts) {
        return List.of(bin(0x00020001, "OB", new byte[] {0, 1}), val(0x00020002, "UI", CT), val(0x00020003, "UI", SOP_UID),
                val(0x00020010, "UI", ts.uid()), val(0x00020012, "UI", IMPL_UID), val(0x00020013, "SH", "MVUNIMPLVER"),
                val(0x00020016, "AE", "MVUNSRCAE"), val(0x00020017, "AE", "MVUNSENDAE"), val(0x00020018, "AE", "MVUNRECVAE"),
                val(0x00020100, "UI", PRIVATE_INFO_CREATOR_UID), bin(0x00020102, "OB", "MVUNPRIVINFO".getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * Writes the canary: CT_small's data set (encoded by our writer, element by element) with the
     * canary's elements in their place, sorted, and one meta element out of place at the end.
     */
    static Path build(Encoding enc, Path target) throws Exception {
        return build(enc, target, enc == Encoding.EXPLICIT_UN);
    }

    /** @param garbage whether to add the UN values that do not parse as the sequences the dictionary says they are */
    static Path build(Encoding enc, Path target, boolean garbage) throws Exception {
        boolean explicit = enc == Encoding.EXPLICIT_UN;
        TransferSyntax ts = explicit ? TransferSyntax.EXPLICIT_LE : TransferSyntax.IMPLICIT_LE;
        DataSet base = new DicomReader().read(Environment.corpusFile("test_files/CT_small.dcm")).dataSet();
        Map<Integer, byte[]> body = new TreeMap<>(Integer::compareUnsigned);
        for (Element e : base.elements()) {
            DataSet one = new DataSet();
            DataSets.copyInto(e, one);
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            new DicomWriter().writeDataSet(one, b, ts);
            body.put(e.tag(), b.toByteArray());
        }
        for (Node n : content(enc, garbage)) {
            body.put(n.tag(), encode(n, explicit));
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(new byte[128]);
        file.write("DICM".getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        for (Node n : meta(ts)) {
            m.write(encode(n, true));
        }
        file.write(encode(bin(0x00020000, "UL", le32(m.size())), true));
        file.write(m.toByteArray());
        for (byte[] b : body.values()) {
            file.write(b);
        }
        file.write(encode(val(0x00020016, "AE", "MVUNBODYAE"), explicit)); // out of order, after Pixel Data
        Files.write(target, file.toByteArray());
        assertNull(DataDictionary.standard().lookup(0x0022FF00), "(0022,FF00) must be unknown to the dictionary");
        return target;
    }

    // ---- our own little-endian encoder (independent of DicomWriter) -----------------------------

    private static final Set<String> LONG = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV");

    private static byte[] encode(Node n, boolean explicit) {
        if (n instanceof Raw r) {
            return r.encoded();
        }
        if (n instanceof Val v) {
            return header(v.tag(), v.un() ? "UN" : v.vr(), v.value().length, explicit, v.value());
        }
        Seq s = (Seq) n;
        boolean asUn = explicit && s.form() != Form.SQ;
        // inside a UN value everything is implicit VR little endian (PS3.5 §6.2.2)
        ByteArrayOutputStream items = new ByteArrayOutputStream();
        for (List<Node> item : s.items()) {
            items.writeBytes(item(s.undefinedItems(), explicit && !asUn ? explicitBody(item) : implicitBody(item)));
        }
        boolean undefined = s.form() == Form.UN_UNDEFINED;
        if (undefined) {
            items.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xDD, (byte) 0xE0, 0, 0, 0, 0});
        }
        return header(s.tag(), asUn ? "UN" : "SQ", undefined ? -1 : items.size(), explicit, items.toByteArray());
    }

    private static byte[] explicitBody(List<Node> nodes) { return body(nodes, true); }

    private static byte[] implicitBody(List<Node> nodes) { return body(nodes, false); }

    private static byte[] body(List<Node> nodes, boolean explicit) {
        Map<Integer, byte[]> sorted = new TreeMap<>(Integer::compareUnsigned);
        for (Node n : nodes) {
            sorted.put(n.tag(), encode(n, explicit));
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        sorted.values().forEach(b::writeBytes);
        return b.toByteArray();
    }

    private static byte[] item(boolean undefined, byte[] body) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0});
        b.writeBytes(le32(undefined ? -1 : body.length));
        b.writeBytes(body);
        if (undefined) {
            b.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x0D, (byte) 0xE0, 0, 0, 0, 0});
        }
        return b.toByteArray();
    }

    private static byte[] header(int tag, String vr, int length, boolean explicit, byte[] value) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) (tag >>> 16), (byte) (tag >>> 24), (byte) tag, (byte) (tag >>> 8)});
        if (!explicit) {
            b.writeBytes(le32(length));
        } else if (LONG.contains(vr)) {
            b.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(new byte[] {0, 0});
            b.writeBytes(le32(length));
        } else {
            b.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(new byte[] {(byte) length, (byte) (length >>> 8)});
        }
        b.writeBytes(value);
        return b.toByteArray();
    }

    private static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }
}
