package org.medveil.site.ingest;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.Element;
import org.medveil.dicom.Tag;
import org.medveil.dicom.VR;
import org.medveil.dicom.deid.AnnexETable;
import org.medveil.dicom.deid.DeidRefusedException;
import org.medveil.dicom.deid.DeidResult;
import org.medveil.dicom.deid.Deidentifier;
import org.medveil.dicom.deid.ProjectKey;
import org.medveil.dicom.files.DuplicateSop;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;
import org.medveil.dicom.occlusion.OcclusionRules;
import org.medveil.dicom.occlusion.PixelBlanker;
import org.medveil.governance.classify.Classification;
import org.medveil.governance.classify.DicomFacts;
import org.medveil.governance.classify.ImagingFacts;
import org.medveil.governance.classify.Table1Classifier;
import org.medveil.governance.deid.LoadedProfile;
import org.medveil.governance.grade.Grade;
import org.medveil.governance.grade.GradeFacts;
import org.medveil.governance.classify.ImagingCategory;
import org.medveil.dicom.dict.DataDictionary;
import org.medveil.dicom.dict.DictEntry;
import org.medveil.governance.grade.Grader;
import org.medveil.governance.strategy.StrategyDecision;
import org.medveil.site.config.IngestProfile;
import org.medveil.site.ingest.IngestOutcome.Accepted;
import org.medveil.site.ingest.IngestOutcome.Kind;
import org.medveil.site.ingest.IngestOutcome.Refused;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One received object, from bytes to a durable outcome: parse, provenance facts (size, SHA-256),
 * minimum-necessary check (REQ-ACQ-1), Table 1 category (REQ-ACQ-7), grade of the original,
 * pseudonymous patient key and consent (REQ-ACQ-3), de-identified derivative with the site's
 * profile, grade of the derivative (REQ-GRADE-1), old → new UIDs; then the {@link IngestSink}
 * makes it durable and the {@link IngestRecorder} audits it. {@link #ingest} returns only after
 * the sink returned. Anything it cannot read is a refusal with a reason, never an exception;
 * only a failing sink throws (the object was not stored, the source must keep it).
 * <p>
 * Thread-safe: the SCP calls it from several associations, the inbox from its own thread.
 */
public final class IngestPipeline {

    private final IngestProfile profile;
    private final Deidentifier deidentifier;
    private final String deidProfileName;
    private final String strategyNote;
    private final PatientKeys patientKeys;
    private final ConsentLookup consent;
    private final IngestSink sink;
    private final IngestRecorder recorder;
    private final Table1Classifier classifier = new Table1Classifier();
    private final Grader grader;

    /**
     * @param profile     the ingest profile
     * @param deid        the de-identification profile, already checked against Table 2
     * @param decision    that check's decision (named in every derivative, REQ-DEID-5)
     * @param projectKey  the project substitution key (UIDs, pseudonyms, date shift)
     * @param grader      the grader with the site's special-disease list
     */
    public IngestPipeline(IngestProfile profile, LoadedProfile deid, StrategyDecision decision, ProjectKey projectKey,
                          Grader grader, PatientKeys patientKeys, ConsentLookup consent, IngestSink sink,
                          IngestRecorder recorder) {
        if (deid.profile().escrow()) {
            throw new IllegalArgumentException("de-identification profile '" + deid.profile().name() + "' sets escrow: "
                    + "true; the site node does not hold a re-identifier's key (the original is kept encrypted instead); "
                    + "use a profile without escrow");
        }
        this.profile = Objects.requireNonNull(profile);
        this.deidProfileName = deid.profile().name();
        OcclusionRules rules;
        try {
            rules = deid.occlusionRules() == null ? OcclusionRules.shipped() : OcclusionRules.load(deid.occlusionRules());
        } catch (DicomException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        this.deidentifier = new Deidentifier(AnnexETable.standard(), deid.profile(), projectKey, rules,
                new PixelBlanker(), null);
        this.strategyNote = "T/SCGS 313008 Table 2 avail " + deid.scenario().availability().english()
                + " conf " + deid.scenario().confidentiality().english() + (decision.overridden() ? " override" : "");
        this.grader = Objects.requireNonNull(grader);
        this.patientKeys = Objects.requireNonNull(patientKeys);
        this.consent = Objects.requireNonNull(consent);
        this.sink = Objects.requireNonNull(sink);
        this.recorder = Objects.requireNonNull(recorder);
    }

    /**
     * Runs one object through the pipeline and hands the outcome to the sink.
     *
     * @param bytes the object as received: a Part 10 file (preamble and meta header)
     * @return the outcome, after the sink made it durable
     * @throws IOException only when the sink failed: nothing is stored, the source keeps the object
     */
    public IngestOutcome ingest(byte[] bytes, Source source) throws IOException {
        IngestOutcome outcome = decide(bytes, source);
        if (outcome instanceof Accepted a) {
            IngestSink.Stored stored = sink.store(a);
            if (stored == IngestSink.Stored.DUPLICATE_DIFFERENT) {
                outcome = new Refused(a.provenance(), Kind.DUPLICATE_DIFFERENT, DuplicateSop.DIFFERENT_CONTENT);
            } else {
                recorder.ingested(a, stored);
                return a;
            }
        }
        Refused r = (Refused) outcome;
        sink.refused(r);
        recorder.refused(r);
        return r;
    }

    /** Every step up to the sink; no side effect. */
    IngestOutcome decide(byte[] bytes, Source source) {
        String digest = sha256(bytes);
        DicomFile file;
        try {
            file = new DicomReader().read(bytes);
        } catch (IOException | RuntimeException e) {
            // the parser's message may quote bytes of the object: only its kind is reported
            return new Refused(new Provenance(source, null, null, bytes.length, digest), Kind.NOT_DICOM,
                    "not readable as DICOM (" + e.getClass().getSimpleName() + ")");
        }
        DataSet ds = file.dataSet();
        String modality = trimmed(ds.getString(MODALITY));
        String sopClass = trimmed(ds.getString(Tag.SOPClassUID));
        Provenance prov = new Provenance(source, modality, sopClass, bytes.length, digest);
        String sop = trimmed(ds.getString(Tag.SOPInstanceUID));
        if (sop == null || sop.isEmpty()) {
            return new Refused(prov, Kind.NOT_DICOM, "no SOP Instance UID: not a storable object");
        }
        ImagingFacts facts = DicomFacts.imagingFacts(ds);
        var refusal = profile.refusal(modality, facts.bodyPart(), sopClass, ds.getString(SERIES_DESCRIPTION));
        if (refusal.isPresent()) {
            return new Refused(prov, Kind.OUT_OF_PROFILE, refusal.get());
        }
        String patientId = trimmed(ds.getString(Tag.PatientID));
        String patientKey = patientId == null || patientId.isEmpty() ? null : patientKeys.pseudonym(patientId);
        Set<String> purposes = patientKey == null ? Set.of() : consent.validPurposes(patientKey, source.receivedAt());
        if (purposes.isEmpty() && profile.refuseWithoutConsent()) {
            return new Refused(prov, Kind.NO_CONSENT, patientKey == null ? "no Patient ID: consent cannot be checked"
                    : "no valid consent recorded for this patient");
        }
        Classification category = classifier.classify(facts);
        GradeFacts originalFacts = DicomFacts.gradeFacts(ds, category.category(), false);
        Grade originalGrade = grader.grade(originalFacts);
        Map<String, Element> identifiers = new HashMap<>(); // before the engine changes ds in place
        for (String keyword : originalFacts.directIdentifiers()) {
            DictEntry e = DataDictionary.standard().byKeyword(keyword);
            if (e != null) {
                identifiers.put(keyword, ds.get(e.tag()));
            }
        }
        String study = trimmed(ds.getString(STUDY_UID));
        String series = trimmed(ds.getString(SERIES_UID));
        byte[] derivative;
        DataSet out;
        try {
            DeidResult r = deidentifier.deidentify(file); // changes file's data set in place; bytes stay the original
            out = r.file().dataSet();
            List<String> method = new ArrayList<>(out.getStrings(DEID_METHOD));
            method.add(strategyNote);
            out.putString(DEID_METHOD, VR.LO, method.toArray(String[]::new));
            ByteArrayOutputStream b = new ByteArrayOutputStream(bytes.length + 1024);
            new DicomWriter().writeFile(r.file(), b, r.outputSyntax());
            derivative = b.toByteArray();
        } catch (DeidRefusedException e) {
            return new Refused(prov, Kind.DEID_REFUSED, "refused by the de-identification profile: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            return new Refused(prov, Kind.DEID_REFUSED, "de-identification failed (" + e.getClass().getSimpleName() + ")");
        }
        Grade derivativeGrade = grader.grade(derivativeFacts(identifiers, out, category.category()));
        UidMapping uids = new UidMapping(sop, trimmed(out.getString(Tag.SOPInstanceUID)), study,
                trimmed(out.getString(STUDY_UID)), series, trimmed(out.getString(SERIES_UID)));
        return new Accepted(prov, bytes, derivative, facts.bodyPart(), category, originalGrade, derivativeGrade,
                patientKey, purposes, uids, deidProfileName);
    }

    /**
     * Grade facts of the derivative. An identifier attribute the engine replaced with a project-key
     * pseudonym (Basic Profile action D on Patient ID / Name) is present but no longer identifies
     * the person, so it is not counted as a direct identifier; one left with its original value is.
     */
    private static GradeFacts derivativeFacts(Map<String, Element> original, DataSet derived, ImagingCategory category) {
        GradeFacts f = DicomFacts.gradeFacts(derived, category, false);
        Set<String> still = new LinkedHashSet<>();
        for (String keyword : f.directIdentifiers()) {
            DictEntry e = DataDictionary.standard().byKeyword(keyword);
            // unknown keyword or same element as before: still identifies (fails towards the higher grade)
            if (e == null || !original.containsKey(keyword) || Objects.equals(original.get(keyword), derived.get(e.tag()))) {
                still.add(keyword);
            }
        }
        return new GradeFacts(still, f.deidentified(), f.quasiIdentifiers(), f.diagnosisCodes(), f.descriptions(),
                f.declaredPublic());
    }

    private static final int MODALITY = 0x00080060;
    private static final int STUDY_UID = 0x0020000D;
    private static final int SERIES_UID = 0x0020000E;
    private static final int SERIES_DESCRIPTION = 0x0008103E;
    private static final int DEID_METHOD = 0x00120063;

    private static String trimmed(String s) {
        return s == null ? null : s.strip();
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
