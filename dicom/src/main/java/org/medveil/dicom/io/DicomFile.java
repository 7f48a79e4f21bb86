package org.medveil.dicom.io;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.TransferSyntax;

/**
 * A DICOM file as read: its File Meta Information (empty if the file had none), the data set, the
 * transfer syntax the data set was encoded in, and the offset where the data set started.
 */
public record DicomFile(DataSet meta, DataSet dataSet, TransferSyntax transferSyntax, long dataSetOffset) {}
