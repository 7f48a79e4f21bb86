package org.medveil.site.ingest;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.governance.classify.ImagingCategory;
import org.medveil.site.config.IngestProfile;
import org.medveil.site.ingest.IngestOutcome.Accepted;
import org.medveil.site.ingest.IngestOutcome.Kind;
import org.medveil.site.ingest.IngestOutcome.Refused;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ingest pipeline on real DICOM files, with an in-memory sink. */
class IngestPipelineTest {
    @TempDir
    Path dir;

    private final MemorySink sink = new MemorySink();
    private final List<String> audit = new ArrayList<>();
    private final IngestRecorder recorder = new IngestRecorder() {
        @Override
        public void ingested(Accepted a, IngestSink.Stored stored) { audit.add(stored + " " + a.provenance().sha256()); }

        @Override
        public void refused(Refused r) { audit.add("REFUSED " + r.kind()); }
    };

    private static final Source SRC = Source.scp("CT01", "127.0.0.1", Instant.parse("2026-12-01T10:00:00Z"));

    private IngestPipeline pipeline(IngestProfile p, ConsentLookup c) {
        return Pipelines.create(dir, p, c, sink, recorder);
    }

    @Test
    @Tag("REQ-ACQ-5")
    @Tag("REQ-ACQ-7")
    @Tag("REQ-GRADE-1")
    void acceptedObjectCarriesProvenanceCategoryGradesAndAnUnidentifiedDerivative() throws IOException {
        byte[] ct = Files.readAllBytes(Pipelines.testFile("CT_small.dcm"));
        DicomFile in = new DicomReader().read(ct);
        String patientName = in.dataSet().getString(org.medveil.dicom.Tag.PatientName).strip();
        String sop = in.dataSet().getString(org.medveil.dicom.Tag.SOPInstanceUID).strip();

        Accepted a = assertInstanceOf(Accepted.class, pipeline(Pipelines.modalities("CT"), ConsentLookup.NONE).ingest(ct, SRC));

        assertEquals(SRC, a.provenance().source());
        assertEquals("CT", a.provenance().modality());
        assertEquals("1.2.840.10008.5.1.4.1.1.2", a.provenance().sopClassUid());
        assertEquals(ct.length, a.provenance().size());
        assertEquals(IngestPipeline.sha256(ct), a.provenance().sha256());
        assertEquals(64, a.provenance().sha256().length());
        assertEquals(ImagingCategory.CLINICAL_STRUCTURAL, a.classification().category());
        assertTrue(a.originalGrade().level().level() >= 4, "identified original: " + a.originalGrade());
        assertTrue(a.derivativeGrade().level().level() < a.originalGrade().level().level(),
                "derivative " + a.derivativeGrade() + " vs original " + a.originalGrade());
        assertTrue(Arrays.equals(ct, a.original()), "the original is kept exactly as received");
        assertFalse(contains(a.derivative(), patientName), "patient name left in the derivative");
        assertFalse(contains(a.derivative(), sop), "original SOP Instance UID left in the derivative");
        assertEquals(sop, a.uids().originalSopInstanceUid());
        assertEquals(Pipelines.PROJECT_KEY.uid(sop), a.uids().derivedSopInstanceUid());
        DicomFile out = new DicomReader().read(a.derivative());
        assertEquals(a.uids().derivedSopInstanceUid(), out.dataSet().getString(org.medveil.dicom.Tag.SOPInstanceUID).strip());
        assertEquals(Pipelines.KEYS.pseudonym(in.dataSet().getString(org.medveil.dicom.Tag.PatientID)), a.patientKey());
        assertEquals("basic", a.deidProfile());
        assertEquals(a, sink.objects.get(sop));
        assertEquals(List.of("STORED " + a.provenance().sha256()), audit);
    }

    @Test
    @Tag("REQ-ACQ-1")
    void outOfProfileObjectIsRefusedAndRecordedWithAReasonFreeOfPhi() throws IOException {
        byte[] mr = Files.readAllBytes(Pipelines.testFile("MR_small.dcm"));
        Refused r = assertInstanceOf(Refused.class, pipeline(Pipelines.modalities("CT"), ConsentLookup.NONE).ingest(mr, SRC));
        assertEquals(Kind.OUT_OF_PROFILE, r.kind());
        assertEquals("modality MR not in the ingest profile", r.reason());
        assertEquals(IngestPipeline.sha256(mr), r.provenance().sha256());
        assertEquals(List.of(r), sink.refusals);
        assertTrue(sink.objects.isEmpty());
        assertEquals(List.of("REFUSED OUT_OF_PROFILE"), audit);
        assertNoPhi(r.reason(), mr);
    }

    @Test
    @Tag("REQ-ACQ-1")
    void bodyPartAndSeriesKeywordsAreEnforced() throws IOException {
        byte[] ct = Files.readAllBytes(Pipelines.testFile("CT_small.dcm"));
        IngestProfile chestOnly = new IngestProfile(Set.of("CT"), Set.of("CHEST"), Set.of(), List.of(), List.of(), false);
        Refused r = assertInstanceOf(Refused.class, pipeline(chestOnly, ConsentLookup.NONE).ingest(ct, SRC));
        assertTrue(r.reason().startsWith("body part ") && r.reason().endsWith(" not in the ingest profile"), r.reason());
        assertNoPhi(r.reason(), ct);
        IngestProfile needsKeyword = new IngestProfile(Set.of(), Set.of(), Set.of(), List.of(), List.of("zzz-never"), false);
        Refused k = assertInstanceOf(Refused.class, Pipelines.create(dir.resolve("b"), needsKeyword, ConsentLookup.NONE,
                sink, recorder).ingest(ct, SRC));
        assertEquals("series description matches none of the accepted keywords", k.reason());
    }

    @Test
    void malformedInputIsARefusalNeverACrash() throws IOException {
        IngestPipeline p = pipeline(IngestProfile.ANY, ConsentLookup.NONE);
        byte[] ct = Files.readAllBytes(Pipelines.testFile("CT_small.dcm"));
        List<byte[]> bad = List.of(new byte[0], "hello, not DICOM".getBytes(StandardCharsets.US_ASCII),
                Arrays.copyOf(ct, 300), Arrays.copyOf(ct, ct.length / 2));
        for (byte[] b : bad) {
            Refused r = assertInstanceOf(Refused.class, p.ingest(b, SRC), "input of " + b.length + " bytes");
            assertEquals(Kind.NOT_DICOM, r.kind(), r.reason());
            assertTrue(r.reason().startsWith("not readable as DICOM") || r.reason().startsWith("no SOP Instance UID"), r.reason());
            assertNoPhi(r.reason(), ct);
        }
        assertEquals(bad.size(), sink.refusals.size());
    }

    @Test
    void duplicateSopInstanceUidIsNeverASilentOverwrite() throws IOException {
        IngestPipeline p = pipeline(IngestProfile.ANY, ConsentLookup.NONE);
        byte[] ct = Files.readAllBytes(Pipelines.testFile("CT_small.dcm"));
        Accepted first = assertInstanceOf(Accepted.class, p.ingest(ct, SRC));
        assertInstanceOf(Accepted.class, p.ingest(ct.clone(), SRC)); // a sender's retry
        byte[] changed = ct.clone();
        changed[changed.length - 3] ^= 0x55; // one pixel byte: same UID, different data set
        Refused r = assertInstanceOf(Refused.class, p.ingest(changed, SRC));
        assertEquals(Kind.DUPLICATE_DIFFERENT, r.kind());
        assertEquals("duplicate SOP Instance UID, different content", r.reason());
        assertEquals(1, sink.objects.size());
        assertTrue(Arrays.equals(ct, sink.objects.get(first.uids().originalSopInstanceUid()).original()));
        assertEquals(List.of("STORED", "DUPLICATE_SAME", "REFUSED"), audit.stream().map(s -> s.split(" ")[0]).toList());
    }

    @Test
    @Tag("REQ-ACQ-3")
    void consentIsLookedUpByPseudonymAndCanBeRequired() throws IOException {
        byte[] ct = Files.readAllBytes(Pipelines.testFile("CT_small.dcm"));
        List<String> asked = new ArrayList<>();
        ConsentLookup registry = (key, at) -> {
            asked.add(key);
            return Set.of();
        };
        IngestProfile strict = new IngestProfile(Set.of(), Set.of(), Set.of(), List.of(), List.of(), true);
        Refused r = assertInstanceOf(Refused.class, pipeline(strict, registry).ingest(ct, SRC));
        assertEquals(Kind.NO_CONSENT, r.kind());
        String id = new DicomReader().read(ct).dataSet().getString(org.medveil.dicom.Tag.PatientID).strip();
        assertEquals(List.of(Pipelines.KEYS.pseudonym(id)), asked, "the registry sees the keyed hash, not the ID");
        assertFalse(asked.get(0).contains(id));

        Accepted a = assertInstanceOf(Accepted.class, Pipelines.create(dir.resolve("b"), strict,
                (key, at) -> Set.of("joint-modeling"), sink, recorder).ingest(ct, SRC));
        assertEquals(Set.of("joint-modeling"), a.consentedPurposes());
    }

    @Test
    void aFailingSinkFailsTheIngestAndNothingIsAudited() throws IOException {
        IngestPipeline p = pipeline(IngestProfile.ANY, ConsentLookup.NONE);
        sink.fail.set(true);
        byte[] ct = Files.readAllBytes(Pipelines.testFile("CT_small.dcm"));
        assertThrows(IOException.class, () -> p.ingest(ct, SRC));
        assertTrue(audit.isEmpty());
    }

    @Test
    void burnedInAnnotationWithoutARuleIsRefusedByDeidentificationNotStored() throws IOException {
        DicomFile f = new DicomReader().read(Pipelines.testFile("CT_small.dcm"));
        f.dataSet().putString(0x00280301, org.medveil.dicom.VR.CS, "YES"); // Burned In Annotation
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        new org.medveil.dicom.io.DicomWriter().writeFile(f, b, f.transferSyntax());
        byte[] marked = b.toByteArray();
        Refused r = assertInstanceOf(Refused.class, pipeline(IngestProfile.ANY, ConsentLookup.NONE).ingest(marked, SRC));
        assertEquals(Kind.DEID_REFUSED, r.kind());
        assertTrue(r.reason().startsWith("refused by the de-identification profile: Burned In Annotation"), r.reason());
        assertTrue(sink.objects.isEmpty());
        assertNoPhi(r.reason(), marked);
    }

    @Test
    void aProfileWithEscrowIsRefusedAtConstruction() throws IOException {
        Path site = dir.resolve("escrow");
        org.medveil.site.config.SiteConfigTemplate.write(site, "A", 104);
        Files.writeString(site.resolve("deid/basic.yaml"), Files.readString(site.resolve("deid/basic.yaml")) + "escrow: true\n");
        var c = org.medveil.site.config.SiteConfig.load(site.resolve("site.yaml"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IngestPipeline(IngestProfile.ANY,
                c.deidProfile(), c.deidDecision(), Pipelines.PROJECT_KEY, new org.medveil.governance.grade.Grader(
                org.medveil.governance.grade.SpecialDiseaseList.defaults()), Pipelines.KEYS, ConsentLookup.NONE, sink, recorder));
        assertTrue(e.getMessage().contains("escrow"), e.getMessage());
    }

    /** The reason holds none of the object's identifying values. */
    static void assertNoPhi(String reason, byte[] object) throws IOException {
        var ds = new DicomReader().read(object).dataSet();
        for (int tag : new int[] {org.medveil.dicom.Tag.PatientName, org.medveil.dicom.Tag.PatientID,
                org.medveil.dicom.Tag.SOPInstanceUID, 0x0020000D, 0x0020000E, 0x00080020, 0x00100030}) {
            String v = ds.getString(tag);
            if (v != null && !v.isBlank()) {
                assertFalse(reason.contains(v.strip()), "reason holds the value of " + Integer.toHexString(tag));
            }
        }
    }

    static boolean contains(byte[] hay, String needle) {
        return new String(hay, StandardCharsets.ISO_8859_1).contains(needle);
    }
}
