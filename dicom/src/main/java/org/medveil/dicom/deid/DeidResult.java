package org.medveil.dicom.deid;

import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.io.DicomFile;

import java.util.Map;

/**
 * A de-identified object and what was done to it.
 *
 * @param file           the de-identified file (its data set was changed in place)
 * @param outputSyntax   the syntax to write it in (big endian input becomes explicit VR little endian;
 *                       blanked compressed input became native)
 * @param occlusionRule  name of the occlusion rule applied, or null
 * @param actions        how many elements each action touched, at every depth (private removals count as X)
 */
public record DeidResult(DicomFile file, TransferSyntax outputSyntax, String occlusionRule, Map<Action, Integer> actions) {
    public DeidResult {
        actions = Map.copyOf(actions);
    }
}
