package org.medveil.models.synth;

import org.medveil.dicom.DataSet;

/** One generated slice: its data set (headers and pixels), label and whether text was burned in. */
public record SyntheticImage(DataSet dataSet, String sopInstanceUid, int label, boolean burnedIn, boolean chineseName) {}
