package org.medveil.cli.dicom;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.SequenceElement;
import org.medveil.dicom.Tag;
import org.medveil.dicom.io.DicomFile;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A DICOMDIR (PS3.10 media directory, Media Storage Directory Storage): records that point at each
 * other by byte offset and name the files of the medium by Referenced File ID, path components
 * that are often patient IDs. The commands never rewrite one; they read its references.
 */
public final class MediaDirectory {
    /** Media Storage Directory Storage SOP Class. */
    public static final String SOP_CLASS = "1.2.840.10008.1.3.10";
    static final int DIRECTORY_RECORD_SEQUENCE = 0x00041220;
    static final int REFERENCED_FILE_ID = 0x00041500;

    private MediaDirectory() {}

    /** True for a DICOMDIR: its meta header says so, or it holds a Directory Record Sequence. */
    public static boolean is(DicomFile f) {
        return SOP_CLASS.equals(f.meta().getString(Tag.MediaStorageSOPClassUID))
                || f.dataSet().contains(DIRECTORY_RECORD_SEQUENCE);
    }

    /** The files a DICOMDIR references, resolved against its folder, each once, in record order. */
    public static References references(DicomFile dicomdir, Path folder) {
        Path base = folder.toAbsolutePath().normalize();
        Set<Path> files = new LinkedHashSet<>();
        int outside = 0;
        SequenceElement records = dicomdir.dataSet().getSequence(DIRECTORY_RECORD_SEQUENCE);
        for (DataSet r : records == null ? List.<DataSet>of() : records.items()) {
            List<String> parts = r.getStrings(REFERENCED_FILE_ID);
            if (parts.isEmpty()) {
                continue; // patient, study and series records reference no file
            }
            Path p = base;
            for (String c : parts) {
                p = p.resolve(c.strip());
            }
            p = p.normalize();
            if (p.startsWith(base) && !p.equals(base)) {
                files.add(p);
            } else {
                outside++; // "..", absolute or empty components: never followed out of the folder
            }
        }
        return new References(List.copyOf(files), outside);
    }

    /** Referenced files inside the DICOMDIR's folder, and how many references pointed outside it. */
    public record References(List<Path> files, int outside) {}
}
