package org.medveil.dicom.deid;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.dicom.DataSet;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.Environment;
import org.medveil.dicom.VR;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;
import org.medveil.dicom.occlusion.OcclusionRules;
import org.medveil.dicom.occlusion.PixelBlanker;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reversible de-identification: the removed originals sealed with AES-GCM for a key holder. */
@Tag("REQ-DEID-1")
class EscrowTest {
    private static final ProjectKey KEY = new ProjectKey("escrow test project key.........".getBytes());

    @TempDir
    Path dir;

    private Path deidentified(EscrowKey escrow) throws Exception {
        DicomFile f = new DicomReader().read(Environment.corpusFile("test_files/CT_small.dcm"));
        DataSet ref = f.dataSet().newSequence(0x00081140, false).addItem();
        ref.putString(0x00081155, VR.UI, "1.999.66.1");
        Deidentifier d = new Deidentifier(AnnexETable.standard(), DeidProfile.basic().withEscrow(true), KEY,
                OcclusionRules.none(), new PixelBlanker(), escrow);
        DeidResult r = d.deidentify(f);
        Path out = dir.resolve("escrowed.dcm");
        new DicomWriter().writeFile(r.file(), out, r.outputSyntax());
        return out;
    }

    @Test
    @DisplayName("REQ-DEID-1 the key holder recovers the original identifiers from the written file")
    void holderRecoversOriginals() throws Exception {
        DataSet original = new DicomReader().read(Environment.corpusFile("test_files/CT_small.dcm")).dataSet();
        EscrowKey holder = EscrowKey.generate();
        Path out = deidentified(holder);
        DataSet after = new DicomReader().read(out).dataSet();
        assertNotEquals(original.getString(org.medveil.dicom.Tag.PatientName), after.getString(org.medveil.dicom.Tag.PatientName));
        DataSet recovered = holder.recover(after);
        for (int tag : new int[] {org.medveil.dicom.Tag.PatientName, org.medveil.dicom.Tag.PatientID,
                org.medveil.dicom.Tag.SOPInstanceUID, 0x00080020, 0x00080080}) {
            assertEquals(original.getString(tag), recovered.getString(tag), org.medveil.dicom.Tag.toString(tag));
        }
        assertEquals("1.999.66.1", recovered.getSequence(0x00081140).item(0).getString(0x00081155),
                "nested originals come back with their sequence");
        assertTrue(!recovered.contains(org.medveil.dicom.Tag.PixelData), "pixel data is not escrowed");
        Canary.assertParsesCleanly(out);
    }

    @Test
    @DisplayName("REQ-DEID-1 another key cannot open the escrow, and altered content is detected")
    void otherKeysAndTamperingFail() throws Exception {
        EscrowKey holder = EscrowKey.generate();
        DataSet after = new DicomReader().read(deidentified(holder)).dataSet();
        DicomException wrong = assertThrows(DicomException.class, () -> EscrowKey.generate().recover(after));
        assertTrue(wrong.getMessage().contains("no Encrypted Attributes Sequence item was sealed for escrow key"));
        DataSet item = after.getSequence(EscrowKey.ENCRYPTED_ATTRIBUTES_SEQUENCE).item(0);
        byte[] content = item.getBytes(EscrowKey.ENCRYPTED_CONTENT).clone();
        content[content.length - 20] ^= 1;
        item.putBytes(EscrowKey.ENCRYPTED_CONTENT, VR.OB, content);
        DicomException tampered = assertThrows(DicomException.class, () -> holder.recover(after));
        assertTrue(tampered.getMessage().contains("fails authentication"), tampered.getMessage());
    }

    @Test
    void escrowWithoutKeyIsRefusedUpFront() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Deidentifier(
                AnnexETable.standard(), DeidProfile.basic().withEscrow(true), KEY, OcclusionRules.none(), new PixelBlanker(), null));
        assertTrue(e.getMessage().contains("asks for escrow but no escrow key"));
    }
}
