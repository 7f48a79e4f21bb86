package org.medveil.dicom.net;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shared check that what a DICOM sender delivered to our SCP equals the file it sent. */
final class ArrivalCheck {
    private ArrivalCheck() {}

    /** storescu proposes only uncompressed syntaxes unless told which compressed one a file uses. */
    static String proposeOption(Path p) throws Exception {
        String ts = new DicomReader(DicomReader.Options.HEADERS).read(p).transferSyntax().uid();
        return switch (ts) {
            case "1.2.840.10008.1.2" -> "-xi";
            case "1.2.840.10008.1.2.2" -> "-xb";
            case "1.2.840.10008.1.2.1.99" -> "-xd";
            case "1.2.840.10008.1.2.4.50" -> "-xy";
            case "1.2.840.10008.1.2.4.51" -> "-xx";
            case "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70" -> "-xs";
            case "1.2.840.10008.1.2.4.80" -> "-xt";
            case "1.2.840.10008.1.2.4.81" -> "-xu";
            case "1.2.840.10008.1.2.4.90" -> "-xv";
            case "1.2.840.10008.1.2.4.91" -> "-xw";
            case "1.2.840.10008.1.2.5" -> "-xr";
            default -> "-xe";
        };
    }

    /**
     * dcmtk re-encodes a file before sending it: it drops group lengths and Data Set Trailing
     * Padding, labels every pixel sequence OB, may give undefined-length sequences explicit lengths
     * and trims text padding. Such files are compared element by element
     * after the same normalisation; all others must arrive byte for byte.
     */
    static boolean dcmtkNormalizes(DataSet ds) {
        boolean[] found = {false};
        ds.walk((owner, e) -> found[0] |= isDcmtkNormalized(e));
        return found[0];
    }

    static boolean isDcmtkNormalized(org.medveil.dicom.Element e) {
        return org.medveil.dicom.Tag.isGroupLength(e.tag()) || e.tag() == 0xFFFCFFFC
                || (e instanceof org.medveil.dicom.SequenceElement s && (s.undefinedLength()
                        || s.items().stream().anyMatch(DataSet::undefinedLengthItem)))
                || (e instanceof org.medveil.dicom.FragmentsElement f && f.vr() == org.medveil.dicom.VR.OW);
    }

    static void normalize(DataSet ds) {
        ds.walk((owner, e) -> {
            if (org.medveil.dicom.Tag.isGroupLength(e.tag()) || e.tag() == 0xFFFCFFFC) {
                owner.remove(e.tag());
            } else if (e instanceof org.medveil.dicom.FragmentsElement f) {
                owner.put(new org.medveil.dicom.FragmentsElement(f.tag(), org.medveil.dicom.VR.OB, f.items()));
            }
        });
    }

    /** Asserts the object sent from file {@code p} arrived unchanged; true if compared byte for byte. */
    static boolean assertArrivedUnchanged(Path p, String callingAe, Map<String, DcmtkScpTest.ReceivedCopy> received,
                                          boolean sameSyntax) throws Exception {
        DicomFile sent = new DicomReader().read(p);
        String iuid = sent.dataSet().getString(org.medveil.dicom.Tag.SOPInstanceUID);
        DcmtkScpTest.ReceivedCopy got = received.get(iuid);
        assertTrue(got != null, p.getFileName() + " did not arrive");
        assertEquals(callingAe, got.callingAe());
        assertEquals("127.0.0.1", got.host());
        if (sameSyntax) { // storescu is told the file's syntax; dcmsend and Orthanc may choose to transcode
            assertEquals(sent.transferSyntax(), got.ts(), p.getFileName() + " was transcoded");
        }
        if (got.ts().equals(sent.transferSyntax()) && !got.ts().deflated() && !dcmtkNormalizes(sent.dataSet())) {
            byte[] all = Files.readAllBytes(p);
            assertArrayEquals(Arrays.copyOfRange(all, (int) sent.dataSetOffset(), all.length), got.bytes(),
                    p.getFileName() + ": data set bytes changed in transit");
            return true;
        } else {
            // dcmtk recomputes group lengths and re-deflates; every other element must be unchanged
            DataSet a = sent.dataSet();
            DataSet b = got.dataSet();
            normalize(a);
            normalize(b);
            assertEquals(null, org.medveil.dicom.DataSetDiff.firstIgnoringPadding(a, b), p.getFileName() + ": data set changed in transit");
        }
        return false;
    }

}
