package org.medveil.dicom;

/**
 * One data element of a {@link DataSet}: a value ({@link ValueElement}), a sequence of items
 * ({@link SequenceElement}), encapsulated pixel data ({@link FragmentsElement}) or a value left in
 * the file ({@link BulkDataElement}). The sealed hierarchy lets walkers switch exhaustively.
 */
public sealed interface Element permits ValueElement, SequenceElement, FragmentsElement, BulkDataElement {
    int tag();

    VR vr();
}
