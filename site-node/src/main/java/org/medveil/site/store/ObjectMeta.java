package org.medveil.site.store;

import java.util.Objects;

/**
 * What the index records about an object besides its bytes. Only {@code dataset} is required.
 * {@code patientKey} is the keyed (pseudonymous) hash of the patient ID, never the ID itself;
 * {@code parentId} names the original a derivative was made from. {@code sopKey} and
 * {@code accessionKey} are an original's {@link LookupKeys}, indexed in the same transaction as
 * the object so a crash never leaves an original that label import and duplicates cannot find.
 */
public record ObjectMeta(String dataset, String parentId, String sopClass, String modality,
        String bodyPart, String category, Integer grade, String patientKey, Provenance provenance,
        String sopKey, String accessionKey) {

    public ObjectMeta {
        Objects.requireNonNull(dataset, "dataset");
        if (grade != null && (grade < 1 || grade > 5)) {
            throw new IllegalArgumentException("grade must be 1..5, got " + grade);
        }
    }

    /** Metadata with only a dataset; add the rest with the {@code with…} methods. */
    public static ObjectMeta of(String dataset) {
        return new ObjectMeta(dataset, null, null, null, null, null, null, null, null, null, null);
    }

    public ObjectMeta withParent(String id) {
        return new ObjectMeta(dataset, id, sopClass, modality, bodyPart, category, grade, patientKey,
                provenance, sopKey, accessionKey);
    }

    public ObjectMeta withDicom(String sopClass, String modality, String bodyPart) {
        return new ObjectMeta(dataset, parentId, sopClass, modality, bodyPart, category, grade, patientKey,
                provenance, sopKey, accessionKey);
    }

    public ObjectMeta withClassification(String category, Integer grade) {
        return new ObjectMeta(dataset, parentId, sopClass, modality, bodyPart, category, grade, patientKey,
                provenance, sopKey, accessionKey);
    }

    public ObjectMeta withPatientKey(String key) {
        return new ObjectMeta(dataset, parentId, sopClass, modality, bodyPart, category, grade, key,
                provenance, sopKey, accessionKey);
    }

    public ObjectMeta withLookupKeys(String sop, String accession) {
        return new ObjectMeta(dataset, parentId, sopClass, modality, bodyPart, category, grade, patientKey, provenance,
                sop, accession);
    }

    public ObjectMeta withProvenance(Provenance p) {
        return new ObjectMeta(dataset, parentId, sopClass, modality, bodyPart, category, grade, patientKey,
                p, sopKey, accessionKey);
    }
}
