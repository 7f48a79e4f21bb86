package org.medveil.dicom.deid;

import org.medveil.dicom.BulkDataElement;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.DicomParseException;
import org.medveil.dicom.Element;
import org.medveil.dicom.SequenceElement;
import org.medveil.dicom.Tag;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.VR;
import org.medveil.dicom.ValueElement;
import org.medveil.dicom.dict.DataDictionary;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.occlusion.OcclusionException;
import org.medveil.dicom.occlusion.OcclusionRule;
import org.medveil.dicom.occlusion.OcclusionRules;
import org.medveil.dicom.occlusion.PixelBlanker;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The PS3.15 Annex E engine: applies the Basic Profile and the profile's options to every element
 * at every depth of nested sequences, removes private attributes not on the safe list and curves
 * and overlays unless kept, substitutes UIDs, patient IDs and accession numbers with keyed values,
 * modifies dates, blanks burned-in pixels by occlusion rules, optionally escrows the originals, and
 * records what it did (0012,0062/0063/0064, 0028,0303).
 *
 * <p>Instances hold no per-object state and may be shared between threads.
 */
public final class Deidentifier {
    static final int PATIENT_IDENTITY_REMOVED = 0x00120062;
    static final int DEIDENTIFICATION_METHOD = 0x00120063;
    static final int DEIDENTIFICATION_METHOD_CODE_SEQUENCE = 0x00120064;
    static final int LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED = 0x00280303;
    static final int BURNED_IN_ANNOTATION = 0x00280301;
    static final int ACCESSION_NUMBER = 0x00080050;
    static final int PATIENT_BIRTH_DATE = 0x00100030;
    static final int STUDY_INSTANCE_UID = 0x0020000D;
    static final int CODE_VALUE = 0x00080100;
    static final int CODING_SCHEME_DESIGNATOR = 0x00080102;
    static final int CODE_MEANING = 0x00080104;
    private static final int OVERLAY_DATA = 0x60003000;
    private static final String STANDARD_UID_ROOT = "1.2.840.10008.";

    private final AnnexETable table;
    private final DeidProfile profile;
    private final ProjectKey key;
    private final OcclusionRules rules;
    private final PixelBlanker blanker;
    private final EscrowKey escrow;
    private final DataDictionary dict = DataDictionary.standard();
    /** Re-reads UN sequences and loads pixel data left in the file; DicomReader is thread-safe. */
    private final DicomReader reader = new DicomReader();
    private final Set<SafePrivateTag> safe;
    private final boolean keepOverlays;

    /**
     * @param escrow the re-identifier's key; required when the profile asks for escrow, else null
     */
    public Deidentifier(AnnexETable table, DeidProfile profile, ProjectKey key, OcclusionRules rules,
                        PixelBlanker blanker, EscrowKey escrow) {
        if (profile.escrow() && escrow == null) {
            throw new IllegalArgumentException("profile '" + profile.name() + "' asks for escrow but no escrow key "
                    + "was given; give the re-identifier's key or set escrow: false");
        }
        this.table = table;
        this.profile = profile;
        this.key = key;
        this.rules = rules;
        this.blanker = blanker;
        this.escrow = profile.escrow() ? escrow : null;
        this.safe = Set.copyOf(profile.safePrivate());
        this.keepOverlays = table.lookup(OVERLAY_DATA).actionFor(profile.options()) != Action.X;
    }

    /** Engine with the standard table, the shipped occlusion rules and no escrow. */
    public static Deidentifier of(DeidProfile profile, ProjectKey key) {
        return new Deidentifier(AnnexETable.standard(), profile, key, OcclusionRules.shipped(), new PixelBlanker(), null);
    }

    public DeidProfile profile() { return profile; }

    /** What one object needs while it is processed. */
    private final class Context {
        final TextCleaner cleaner;
        final int dayOffset;
        final Map<Action, Integer> counts = new EnumMap<>(Action.class);

        Context(DataSet original) {
            this.cleaner = TextCleaner.of(original);
            String patient = firstNonNull(DataSets.string(original, Tag.PatientID),
                    DataSets.string(original, Tag.PatientName), DataSets.string(original, STUDY_INSTANCE_UID), "");
            this.dayOffset = key.dayOffset(patient, profile.maxDateShiftDays());
        }

        void count(Action a) { counts.merge(a, 1, Integer::sum); }
    }

    /**
     * De-identifies {@code in}; its data set is changed in place.
     *
     * @throws DeidRefusedException when the profile does not allow this object (burned-in text
     *                              without a rule, or pixels that must be blanked but cannot be decoded)
     */
    public DeidResult deidentify(DicomFile in) throws DicomException {
        DicomFile file = in;
        DataSet original = DataSets.copy(in.dataSet());
        String ruleName = null;
        Optional<OcclusionRule> rule = occlusionFor(in.dataSet());
        if (rule.isPresent()) {
            loadPixels(file.dataSet());
            try {
                file = blanker.blank(file, rule.get().rectangles());
            } catch (OcclusionException e) {
                throw new DeidRefusedException("occlusion rule '" + rule.get().name() + "' matches but " + e.getMessage(), e);
            }
            file.dataSet().putString(BURNED_IN_ANNOTATION, VR.CS, "NO");
            ruleName = rule.get().name();
        }
        DataSet ds = file.dataSet();
        Context ctx = new Context(original);
        process(ds, ctx);
        recordMethod(ds);
        if (escrow != null) {
            DataSet changed = new DataSet();
            for (Element o : original.elements()) {
                if (o.tag() != Tag.PixelData && !o.equals(ds.get(o.tag()))) {
                    DataSets.copyInto(o, changed);
                }
            }
            try {
                escrow.seal(changed, ds);
            } catch (java.io.IOException e) {
                throw new DicomException("cannot encode the escrowed attributes: " + e.getMessage(), e);
            }
        }
        DataSet meta = newMeta(file.meta(), ds);
        TransferSyntax ts = file.transferSyntax().bigEndian() ? TransferSyntax.EXPLICIT_LE : file.transferSyntax();
        return new DeidResult(new DicomFile(meta, ds, ts, 0), ts, ruleName, ctx.counts);
    }

    /** Pixel data the reader left in the file (DicomReader.Options.PIXEL_DATA_IN_FILE) is loaded for blanking. */
    private void loadPixels(DataSet ds) throws DicomException {
        if (ds.get(Tag.PixelData) instanceof BulkDataElement b) {
            try {
                ds.put(reader.load(b));
            } catch (DicomException e) {
                throw e;
            } catch (java.io.IOException e) {
                throw new DicomException("cannot read the pixel data to blank them: " + e.getMessage(), e);
            }
        }
    }

    private Optional<OcclusionRule> occlusionFor(DataSet ds) throws DeidRefusedException {
        boolean burnedIn = "YES".equalsIgnoreCase(ds.getString(BURNED_IN_ANNOTATION));
        if (!ds.contains(Tag.PixelData)) {
            return Optional.empty();
        }
        Optional<OcclusionRule> rule = profile.cleansPixels() ? rules.match(ds) : Optional.empty();
        if (burnedIn && rule.isEmpty() && !profile.allowUnmatchedBurnedIn()) {
            throw new DeidRefusedException("Burned In Annotation (0028,0301) is YES and " + (profile.cleansPixels()
                    ? "no occlusion rule matches " + describe(ds)
                    + "; add a rule for this device to the occlusion rules file"
                    : "profile '" + profile.name() + "' does not enable clean-pixel-data; enable it with a matching rule")
                    + ", or set allowBurnedInAnnotation in the profile if the text has been checked");
        }
        return rule;
    }

    /** Device facts for messages: never patient data. */
    private static String describe(DataSet ds) {
        return "Modality=" + ds.getString(0x00080060) + ", Manufacturer=" + ds.getString(0x00080070)
                + ", ManufacturerModelName=" + ds.getString(0x00081090) + ", Rows=" + ds.getInt(Tag.Rows, -1)
                + ", Columns=" + ds.getInt(Tag.Columns, -1);
    }

    private void process(DataSet ds, Context ctx) throws DicomException {
        for (Element e : ds.elements().toArray(new Element[0])) {
            int tag = e.tag();
            if (Tag.isPrivate(tag)) {
                continue;
            }
            if (!keepOverlays && isOverlay(tag)) {
                // the whole overlay plane goes: Overlay Data is Type 1, so its description alone is invalid
                ds.remove(tag);
                ctx.count(Action.X);
                continue;
            }
            if (e.vr() == VR.UN || Tag.group(tag) == 0x0002) {
                e = unknownVrOrMeta(ds, e, ctx);
                if (e == null) {
                    continue;
                }
            }
            AnnexEEntry entry = table.lookup(tag);
            if (entry == null) {
                recurse(e, ctx);
                continue;
            }
            Action a = entry.actionFor(profile.options()).resolveConservatively();
            apply(ds, e, a, ctx);
            ctx.count(a);
        }
        privates(ds, ctx);
    }

    /**
     * A UN element (what a node without the dictionary writes when it re-encodes implicit data) or
     * a file meta element inside the data set. A UN the dictionary calls SQ is re-read as the
     * sequence it is (PS3.5 §6.2.2, CP-246) and then handled like any sequence; one that does not
     * parse is removed. Other known UNs take their row's action with their dictionary VR (kept as
     * UN when the row keeps them or no row lists them). UNs of tags the dictionary does not know
     * may hide anything and are removed; group 0002 belongs to the meta header, which is rebuilt.
     *
     * @return the element to process, or null when it was removed
     */
    private Element unknownVrOrMeta(DataSet ds, Element e, Context ctx) {
        int tag = e.tag();
        VR real = Tag.group(tag) == 0x0002 ? VR.UN : dict.vrOf(tag);
        if (real == VR.SQ && e instanceof ValueElement v) {
            try {
                return reader.readUnSequence(ds, tag, v.value());
            } catch (DicomParseException unparseable) {
                // removed below: an opaque blob is never passed through
            }
        } else if (real != VR.SQ && real != VR.UN) {
            AnnexEEntry entry = table.lookup(tag);
            if (entry == null || entry.actionFor(profile.options()).resolveConservatively() == Action.K) {
                return e;
            }
            if (e instanceof ValueElement v) {
                ValueElement typed = new ValueElement(tag, real, v.value());
                ds.put(typed);
                return typed;
            }
        }
        ds.remove(tag);
        ctx.count(Action.X);
        return null;
    }

    private static boolean isOverlay(int tag) {
        int g = Tag.group(tag);
        return g >= 0x6000 && g <= 0x601E && (g & 1) == 0;
    }

    private void recurse(Element e, Context ctx) throws DicomException {
        if (e instanceof SequenceElement s) {
            for (DataSet item : s.items()) {
                process(item, ctx);
            }
        }
    }

    private void apply(DataSet ds, Element e, Action a, Context ctx) throws DicomException {
        int tag = e.tag();
        VR vr = e.vr() == VR.UN ? dict.vrOf(tag) : e.vr();
        switch (a) {
            case X -> ds.remove(tag);
            case K -> {
                if (vr == VR.AS && profile.ageBandYears() > 0) {
                    mapText(ds, tag, vr, v -> Temporal.ageBand(v, profile.ageBandYears()));
                }
                recurse(e, ctx);
            }
            case Z -> {
                if (!substitute(ds, tag)) {
                    empty(ds, e, vr);
                }
            }
            case D -> {
                if (!substitute(ds, tag)) {
                    dummy(ds, e, vr);
                }
            }
            case U -> {
                if (e instanceof SequenceElement) {
                    recurse(e, ctx);
                } else {
                    mapText(ds, tag, VR.UI, this::remapUid);
                }
            }
            case C -> clean(ds, e, vr, ctx);
            default -> throw new IllegalStateException("unresolved action " + a);
        }
    }

    /** Patient ID, Patient's Name and Accession Number get keyed pseudonyms, so studies stay linkable in the project. */
    private boolean substitute(DataSet ds, int tag) {
        String v = ds.getString(tag);
        if (v == null) {
            return false;
        }
        switch (tag) {
            case Tag.PatientID -> ds.putString(tag, VR.LO, "MV" + key.pseudonym("patient-id", v, 14));
            case Tag.PatientName -> {
                String id = DataSets.string(ds, Tag.PatientID); // not processed yet: may still be UN
                ds.putString(tag, VR.PN, "MV" + key.pseudonym("patient-id", id != null ? id : v, 14));
            }
            case ACCESSION_NUMBER -> ds.putString(tag, VR.SH, "A" + key.pseudonym("accession", v, 15));
            default -> {
                return false;
            }
        }
        return true;
    }

    private static void empty(DataSet ds, Element e, VR vr) {
        if (e instanceof SequenceElement s || vr == VR.SQ) {
            ds.newSequence(e.tag(), e instanceof SequenceElement s2 && s2.undefinedLength());
        } else {
            ds.put(new ValueElement(e.tag(), vr, new byte[0]));
        }
    }

    private void dummy(DataSet ds, Element e, VR vr) {
        int tag = e.tag();
        if (e instanceof SequenceElement || vr == VR.SQ) {
            // a non-empty sequence that says nothing: one empty item
            ds.newSequence(tag, e instanceof SequenceElement s && s.undefinedLength()).addItem();
            return;
        }
        switch (vr) {
            case UI -> {
                String old = ds.getString(tag);
                ds.putString(tag, VR.UI, key.uid(old == null ? "dummy:" + Integer.toHexString(tag) : old));
            }
            case DA -> ds.putString(tag, vr, "19000101");
            case TM -> ds.putString(tag, vr, "000000");
            case DT -> ds.putString(tag, vr, "19000101000000");
            case DS, IS -> ds.putString(tag, vr, "0");
            case AS -> ds.putString(tag, vr, "000Y");
            case UR -> ds.putString(tag, vr, "urn:medveil:removed");
            case AE, CS, LO, LT, PN, SH, ST, UC, UT -> ds.putString(tag, vr, "ANONYMOUS");
            default -> ds.put(new ValueElement(tag, vr, new byte[Math.max(2, vr.unitSize())]));
        }
    }

    private void clean(DataSet ds, Element e, VR vr, Context ctx) throws DicomException {
        int tag = e.tag();
        if (e instanceof SequenceElement) {
            recurse(e, ctx);
            return;
        }
        switch (vr) {
            case DA -> mapText(ds, tag, vr, v -> profile.dateMode() == DateMode.YEAR ? Temporal.yearOfDate(v)
                    : Temporal.shiftDate(v, ctx.dayOffset));
            case DT -> mapText(ds, tag, vr, v -> profile.dateMode() == DateMode.YEAR ? Temporal.yearOfDateTime(v)
                    : Temporal.shiftDateTime(v, ctx.dayOffset));
            // times carry no date: kept when shifting, reduced to midnight when only the year is kept
            case TM -> mapText(ds, tag, vr, v -> profile.dateMode() == DateMode.YEAR ? "000000" : v);
            case AS -> mapText(ds, tag, vr, v -> Temporal.ageBand(v, Math.max(1, profile.ageBandYears())));
            case UI -> mapText(ds, tag, vr, this::remapUid);
            case AE, CS, LO, LT, PN, SH, ST, UC, UT, UR -> cleanText(ds, e, vr, ctx);
            default -> {
                // binary values (e.g. overlay bitmaps under Clean Graphics) carry no text to clean
            }
        }
    }

    private void cleanText(DataSet ds, Element e, VR vr, Context ctx) {
        List<String> values = ds.getStrings(e.tag());
        List<String> cleaned = values.stream().map(ctx.cleaner::clean).toList();
        if (cleaned.equals(values)) {
            return;
        }
        try {
            ds.putString(e.tag(), vr, cleaned.toArray(String[]::new));
        } catch (IllegalArgumentException notEncodable) {
            // the character set cannot re-encode the cleaned text: drop it rather than keep identifiers
            dummy(ds, e, vr);
        }
    }

    /** Rewrites each value; a value the mapper cannot handle (returns null) becomes empty. */
    private static void mapText(DataSet ds, int tag, VR vr, java.util.function.Function<String, String> f) {
        List<String> values = ds.getStrings(tag);
        if (values.isEmpty() && ds.get(tag) instanceof ValueElement v && v.vr() == VR.UN) {
            values = org.medveil.dicom.Values.splitAscii(v.value());
        }
        if (values.isEmpty()) {
            return;
        }
        String[] out = new String[values.size()];
        for (int i = 0; i < out.length; i++) {
            String v = values.get(i);
            String m = v.isEmpty() ? v : f.apply(v);
            out[i] = m == null ? "" : m;
        }
        ds.putString(tag, vr, out);
    }

    private String remapUid(String uid) {
        return uid.startsWith(STANDARD_UID_ROOT) ? uid : key.uid(uid);
    }

    /** Private attributes: all removed, or under Retain Safe Private only those on the safe list. */
    private void privates(DataSet ds, Context ctx) throws DicomException {
        if (!hasPrivate(ds)) {
            return; // the common case: nothing to decide, nothing to allocate
        }
        boolean retain = profile.has(ProfileOption.RETAIN_SAFE_PRIVATE);
        Set<Integer> usedCreators = new HashSet<>();
        List<Element> creators = new ArrayList<>();
        for (Element e : new ArrayList<>(ds.elements())) {
            int tag = e.tag();
            if (!Tag.isPrivate(tag)) {
                continue;
            }
            if (Tag.isPrivateCreator(tag)) {
                creators.add(e);
                continue;
            }
            String creator = retain ? ds.privateCreatorOf(tag) : null;
            if (creator != null && safe.contains(new SafePrivateTag(Tag.group(tag), creator, tag & 0xFF))) {
                usedCreators.add(Tag.privateCreatorOf(tag));
                recurse(e, ctx);
                ctx.count(Action.K);
            } else {
                ds.remove(tag);
                ctx.count(Action.X);
            }
        }
        for (Element c : creators) {
            if (!usedCreators.contains(c.tag())) {
                ds.remove(c.tag());
                ctx.count(Action.X);
            }
        }
    }

    private static boolean hasPrivate(DataSet ds) {
        for (Element e : ds.elements()) {
            if (Tag.isPrivate(e.tag())) {
                return true;
            }
        }
        return false;
    }

    private void recordMethod(DataSet ds) {
        ds.putString(PATIENT_IDENTITY_REMOVED, VR.CS, "YES");
        String name = "MedVeil profile " + profile.name();
        ds.putString(DEIDENTIFICATION_METHOD, VR.LO, "PS3.15 Annex E Basic Profile (" + edition() + ")",
                name.length() > 64 ? name.substring(0, 64) : name);
        SequenceElement codes = ds.newSequence(DEIDENTIFICATION_METHOD_CODE_SEQUENCE, false);
        addCode(codes, ProfileOption.BASIC_PROFILE_CODE, ProfileOption.BASIC_PROFILE_MEANING);
        for (ProfileOption o : ProfileOption.values()) {
            if (profile.has(o)) {
                addCode(codes, o.code(), o.meaning());
            }
        }
        ds.putString(LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED, VR.CS,
                profile.has(ProfileOption.RETAIN_LONGITUDINAL_FULL_DATES) ? "UNMODIFIED"
                        : profile.has(ProfileOption.RETAIN_LONGITUDINAL_MODIFIED_DATES) ? "MODIFIED" : "REMOVED");
    }

    private String edition() {
        String e = table.edition();
        int i = e.indexOf("DICOM ");
        return i >= 0 ? e.substring(i, Math.min(e.length(), i + 11)) : "DICOM";
    }

    private static void addCode(SequenceElement seq, String value, String meaning) {
        DataSet item = seq.addItem();
        item.putString(CODE_VALUE, VR.SH, value);
        item.putString(CODING_SCHEME_DESIGNATOR, VR.SH, "DCM");
        item.putString(CODE_MEANING, VR.LO, meaning);
    }

    /** File meta rebuilt from scratch: only what identifies the object's class, instance and syntax. */
    private DataSet newMeta(DataSet old, DataSet ds) {
        DataSet m = new DataSet();
        String cls = firstNonNull(ds.getString(Tag.SOPClassUID), old.getString(Tag.MediaStorageSOPClassUID), null);
        String inst = ds.getString(Tag.SOPInstanceUID);
        if (inst == null && old.getString(Tag.MediaStorageSOPInstanceUID) != null) {
            String o = old.getString(Tag.MediaStorageSOPInstanceUID);
            inst = profile.has(ProfileOption.RETAIN_UIDS) ? o : remapUid(o);
        }
        if (cls != null) {
            m.putString(Tag.MediaStorageSOPClassUID, VR.UI, cls);
        }
        if (inst != null) {
            m.putString(Tag.MediaStorageSOPInstanceUID, VR.UI, inst);
        }
        return m;
    }

    private static String firstNonNull(String... values) {
        for (String v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
