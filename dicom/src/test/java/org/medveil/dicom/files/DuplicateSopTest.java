package org.medveil.dicom.files;

import org.junit.jupiter.api.Test;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.VR;
import org.medveil.dicom.io.DicomReader;
import org.medveil.testsupport.External;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The duplicate rule on a real file: the same object again is SAME, one changed value makes it DIFFERENT. */
class DuplicateSopTest {
    @Test
    void sameObjectIsSameAndAnyChangedValueIsDifferent() throws IOException {
        var file = External.pydicomTestFile("CT_small.dcm");
        DataSet held = new DicomReader().read(file).dataSet();
        DataSet again = new DicomReader().read(file).dataSet();
        assertEquals(DuplicateSop.Verdict.SAME, DuplicateSop.compare(held, again));
        again.putString(org.medveil.dicom.Tag.PatientID, VR.LO, "OTHER-4711");
        assertEquals(DuplicateSop.Verdict.DIFFERENT, DuplicateSop.compare(held, again));
    }
}
