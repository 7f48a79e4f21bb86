package org.medveil.dicom.deid;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.Environment;
import org.medveil.dicom.VR;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;

import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keyed substitution across a multi-file study, across projects, and in non-Latin character sets. */
class SubstitutionTest {
    private static final int STUDY_UID = 0x0020000D;
    private static final int SERIES_UID = 0x0020000E;
    private static final int FRAME_OF_REFERENCE_UID = 0x00200052;
    private static final int STUDY_DATE = 0x00080020;
    private static final int REFERENCED_IMAGE_SEQUENCE = 0x00081140;
    private static final int REFERENCED_SOP_CLASS_UID = 0x00081150;
    private static final int REFERENCED_SOP_INSTANCE_UID = 0x00081155;
    private static final ProjectKey KEY_A = new ProjectKey("project A substitution key......".getBytes());
    private static final ProjectKey KEY_B = new ProjectKey("project B substitution key......".getBytes());

    @TempDir
    Path dir;

    /** Three CT instances of one study; each references the previous one. */
    private List<Path> study() throws Exception {
        Path src = Environment.corpusFile("test_files/CT_small.dcm");
        List<Path> files = new ArrayList<>();
        String previous = null;
        for (int i = 1; i <= 3; i++) {
            DicomFile f = new DicomReader().read(src);
            DataSet ds = f.dataSet();
            String sop = "1.999.88.1." + i;
            ds.putString(org.medveil.dicom.Tag.SOPInstanceUID, VR.UI, sop);
            ds.putString(STUDY_UID, VR.UI, "1.999.88.100");
            ds.putString(SERIES_UID, VR.UI, "1.999.88.200");
            ds.putString(FRAME_OF_REFERENCE_UID, VR.UI, "1.999.88.300");
            ds.putString(STUDY_DATE, VR.DA, "20200315");
            if (previous != null) {
                DataSet ref = ds.newSequence(REFERENCED_IMAGE_SEQUENCE, false).addItem();
                ref.putString(REFERENCED_SOP_CLASS_UID, VR.UI, ds.getString(org.medveil.dicom.Tag.SOPClassUID));
                ref.putString(REFERENCED_SOP_INSTANCE_UID, VR.UI, previous);
            }
            f.meta().putString(org.medveil.dicom.Tag.MediaStorageSOPInstanceUID, VR.UI, sop);
            Path p = dir.resolve("ct" + i + ".dcm");
            new DicomWriter().writeFile(f, p, f.transferSyntax());
            files.add(p);
            previous = sop;
        }
        return files;
    }

    private static List<DicomFile> deid(List<Path> files, ProjectKey key, DeidProfile profile) throws Exception {
        Deidentifier d = Deidentifier.of(profile, key);
        List<DicomFile> out = new ArrayList<>();
        for (Path p : files) {
            out.add(d.deidentify(new DicomReader().read(p)).file());
        }
        return out;
    }

    @Test
    @Tag("REQ-DEID-3")
    @DisplayName("REQ-DEID-3 UID remapping keeps study, series, frame of reference and SOP references consistent")
    void referencesStayConsistentAcrossFiles() throws Exception {
        List<DicomFile> out = deid(study(), KEY_A, DeidProfile.basic());
        for (int tag : new int[] {STUDY_UID, SERIES_UID, FRAME_OF_REFERENCE_UID}) {
            Set<String> values = new HashSet<>();
            out.forEach(f -> values.add(f.dataSet().getString(tag)));
            assertEquals(1, values.size(), org.medveil.dicom.Tag.toString(tag) + " must map to one value in the study");
            String v = values.iterator().next();
            assertTrue(v.startsWith("2.25.") && !v.contains("1.999.88"), "remapped to a 2.25 UID");
            assertEquals(KEY_A.uid(v.equals(KEY_A.uid("1.999.88.100")) ? "1.999.88.100" : v.equals(KEY_A.uid("1.999.88.200"))
                    ? "1.999.88.200" : "1.999.88.300"), v);
        }
        for (int i = 1; i < out.size(); i++) {
            DataSet ref = out.get(i).dataSet().getSequence(REFERENCED_IMAGE_SEQUENCE).item(0);
            assertEquals(out.get(i - 1).dataSet().getString(org.medveil.dicom.Tag.SOPInstanceUID),
                    ref.getString(REFERENCED_SOP_INSTANCE_UID), "reference to the previous instance follows its new UID");
            assertEquals("1.2.840.10008.5.1.4.1.1.2", ref.getString(REFERENCED_SOP_CLASS_UID), "SOP class UIDs are standard, kept");
        }
        for (DicomFile f : out) {
            assertEquals(f.dataSet().getString(org.medveil.dicom.Tag.SOPInstanceUID),
                    f.meta().getString(org.medveil.dicom.Tag.MediaStorageSOPInstanceUID), "meta follows the new SOP Instance UID");
        }
        Set<String> ids = new HashSet<>();
        out.forEach(f -> ids.add(f.dataSet().getString(org.medveil.dicom.Tag.PatientID)));
        assertEquals(1, ids.size(), "one patient, one pseudonym");
    }

    @Test
    @Tag("REQ-DEID-3")
    @DisplayName("REQ-DEID-3 two project keys give unrelated UIDs and pseudonyms")
    void differentProjectsCannotLink() throws Exception {
        List<Path> files = study();
        List<DicomFile> a = deid(files, KEY_A, DeidProfile.basic());
        List<DicomFile> b = deid(files, KEY_B, DeidProfile.basic());
        for (int i = 0; i < a.size(); i++) {
            for (int tag : new int[] {STUDY_UID, SERIES_UID, FRAME_OF_REFERENCE_UID, org.medveil.dicom.Tag.SOPInstanceUID,
                    org.medveil.dicom.Tag.PatientID}) {
                assertNotEquals(a.get(i).dataSet().getString(tag), b.get(i).dataSet().getString(tag),
                        org.medveil.dicom.Tag.toString(tag) + " must differ between projects");
            }
        }
    }

    @Test
    @Tag("REQ-DEID-1")
    @DisplayName("REQ-DEID-1 per-patient date shift keeps intervals; year mode keeps only the year")
    void datesShiftPerPatientOrGeneralizeToYear() throws Exception {
        List<Path> files = study();
        DataSet second = new DicomReader().read(files.get(1)).dataSet();
        second.putString(STUDY_DATE, VR.DA, "20200322"); // one week later
        DicomFile f1 = new DicomReader().read(files.get(1));
        f1.dataSet().putString(STUDY_DATE, VR.DA, "20200322");
        new DicomWriter().writeFile(f1, files.get(1), f1.transferSyntax());
        DeidProfile shift = DeidProfile.withOptions("shift", Set.of(ProfileOption.RETAIN_LONGITUDINAL_MODIFIED_DATES));
        List<DicomFile> out = deid(files, KEY_A, shift);
        String d0 = out.get(0).dataSet().getString(STUDY_DATE);
        String d1 = out.get(1).dataSet().getString(STUDY_DATE);
        assertNotEquals("20200315", d0, "dates must move");
        long days = java.time.temporal.ChronoUnit.DAYS.between(java.time.LocalDate.parse(d0, java.time.format.DateTimeFormatter.BASIC_ISO_DATE),
                java.time.LocalDate.parse(d1, java.time.format.DateTimeFormatter.BASIC_ISO_DATE));
        assertEquals(7, days, "the interval between two studies of one patient survives");
        assertEquals("MODIFIED", out.get(0).dataSet().getString(Deidentifier.LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED));
        List<DicomFile> year = deid(files, KEY_A, shift.withDates(DateMode.YEAR));
        assertEquals("20200101", year.get(1).dataSet().getString(STUDY_DATE));
    }

    @Test
    @Tag("REQ-DEID-1")
    @DisplayName("REQ-DEID-1 ages generalize to bands under Retain Patient Characteristics")
    void agesBecomeBands() throws Exception {
        DicomFile f = new DicomReader().read(Environment.corpusFile("test_files/CT_small.dcm"));
        f.dataSet().putString(0x00101010, VR.AS, "047Y");
        DeidProfile p = DeidProfile.withOptions("chars", Set.of(ProfileOption.RETAIN_PATIENT_CHARACTERISTICS)).withAgeBands(10);
        assertEquals("040Y", Deidentifier.of(p, KEY_A).deidentify(f).file().dataSet().getString(0x00101010));
        assertEquals("090Y", Temporal.ageBand("093Y", 5));
        assertEquals("000Y", Temporal.ageBand("011M", 5));
        assertEquals("010Y", Temporal.ageBand("600W", 5));
    }

    @Test
    @Tag("REQ-DEID-3")
    @DisplayName("REQ-DEID-3 a GB18030 patient name is removed like any other")
    void gb18030NameIsRemoved() throws Exception {
        Path src = Environment.corpusFile("charset_files/chrX2.dcm");
        DicomFile f = new DicomReader().read(src);
        String name = f.dataSet().getString(org.medveil.dicom.Tag.PatientName);
        assertTrue(name.contains("王") && name.contains("小东"), "the corpus file carries a Chinese name: " + name);
        // the same name also in a free-text descriptor, which Clean Descriptors must scrub
        f.dataSet().putString(0x00081030, VR.LO, "CT 王小东 follow-up");
        DeidResult r = Deidentifier.of(DeidProfile.withOptions("desc", Set.of(ProfileOption.CLEAN_DESCRIPTORS)), KEY_A)
                .deidentify(f);
        Path out = dir.resolve("gb.dcm");
        new DicomWriter().writeFile(r.file(), out, r.outputSyntax());
        byte[] bytes = Files.readAllBytes(out);
        Charset gb = Charset.forName("GB18030");
        for (String part : List.of("王", "小东", "Wang", "XiaoDong")) {
            assertFalse(indexOf(bytes, part.getBytes(gb)) >= 0, "'" + part + "' (GB18030 bytes) must not remain in the output");
        }
        DataSet after = new DicomReader().read(out).dataSet();
        assertEquals("CT * follow-up", after.getString(0x00081030));
        assertTrue(after.getString(org.medveil.dicom.Tag.PatientName).startsWith("MV"));
        Canary.assertParsesCleanly(out);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
