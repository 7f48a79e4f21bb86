package org.medveil.cli.dicom;

import org.medveil.dicom.files.NoReplaceFiles;
import org.medveil.dicom.DicomException;
import org.medveil.dicom.Tag;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;
import org.medveil.dicom.net.DirectoryStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code medveil dicom convert --to SYNTAX IN OUT}: rewrites a file or a folder tree. Never replaces
 * an existing output; refuses DICOMDIRs.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Rewrite DICOM files in another native transfer syntax (compressed pixel data is decoded: "
                + "RLE, JPEG, JPEG 2000). IN and OUT are files, or folders (the tree is mirrored; files that are "
                + "not DICOM or cannot be decoded are reported and skipped).",
                "Existing files in OUT are never replaced. In a folder, a second file with the SOP Instance UID of one "
                        + "already converted is reported as a duplicate (same content, not written twice) or skipped "
                        + "(different content). DICOMDIRs are refused (not rewritten). Exit code 1 when any file was "
                        + "skipped or failed."})
public final class ConvertCommand implements Runnable {
    enum Target {
        explicit_le(TransferSyntax.EXPLICIT_LE), implicit_le(TransferSyntax.IMPLICIT_LE), deflated(TransferSyntax.DEFLATED_LE);

        final TransferSyntax syntax;

        Target(TransferSyntax syntax) { this.syntax = syntax; }
    }

    @Option(names = "--to", required = true, paramLabel = "SYNTAX",
            description = "explicit-le, implicit-le or deflated.", converter = TargetConverter.class)
    Target to;

    @Parameters(index = "0", paramLabel = "IN", description = "Input file or folder.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "Output file or folder.")
    Path out;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    static final class TargetConverter implements picocli.CommandLine.ITypeConverter<Target> {
        @Override
        public Target convert(String value) {
            try {
                return Target.valueOf(value.replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(
                        "unknown syntax '" + value + "'; use explicit-le, implicit-le or deflated");
            }
        }
    }

    @Override
    public void run() {
        PrintWriter o = spec.commandLine().getOut();
        DicomReader reader = new DicomReader();
        try {
            if (Files.isRegularFile(in)) {
                Path target = Files.isDirectory(out) ? out.resolve(in.getFileName()) : out;
                DicomFile f = decoded(reader, in);
                Path parent = target.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                switch (NoReplaceFiles.place(target, w -> new DicomWriter().writeFile(f, w, to.syntax), NoReplaceFiles.SAME_DATA_SET)) {
                    case CREATED -> o.println("converted 1 file to " + to.syntax.name());
                    case SAME -> o.println(target + " already holds this object in " + to.syntax.name() + "; left as it is");
                    case DIFFERENT -> throw new DicomCliException(target + " exists and holds something else; it was not "
                            + "replaced: remove it or choose another output name");
                }
                return;
            }
            if (!Files.isDirectory(in)) {
                throw new DicomCliException("no such file or folder: " + in);
            }
            folder(reader, o);
        } catch (DicomException e) {
            throw new DicomCliException("cannot convert " + in.getFileName() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new DicomCliException("conversion failed: " + e.getMessage(), e);
        }
    }

    /**
     * Mirrors the tree. Never replaces a file in OUT; a second input with the SOP Instance UID of one
     * already converted is a duplicate when it converts to the same data set (not written twice),
     * and is skipped otherwise. Exits non-zero when any input was skipped or failed.
     */
    private void folder(DicomReader reader, PrintWriter o) throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        List<Path> files;
        try (Stream<Path> s = Files.walk(in)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        Map<String, Path> firstByUid = new HashMap<>();
        Set<Path> madeDirs = new HashSet<>();
        int ok = 0;
        int duplicates = 0;
        int skipped = 0;
        int failed = 0;
        for (Path f : files) {
            Path rel = in.relativize(f);
            Path target = out.resolve(rel.toString());
            try {
                DicomFile d = decoded(reader, f);
                String uid = d.dataSet().getString(Tag.SOPInstanceUID);
                Path first = uid == null ? null : firstByUid.get(uid);
                if (first != null) {
                    if (sameAs(d, first)) {
                        duplicates++;
                        err.println("duplicate " + rel + ": same SOP Instance UID and content as " + out.relativize(first)
                                + "; not written twice");
                    } else {
                        skipped++;
                        err.println("skipped " + rel + ": duplicate SOP Instance UID, different content (the UID of "
                                + out.relativize(first) + "); nothing was replaced");
                    }
                    continue;
                }
                if (madeDirs.add(target.getParent())) {
                    Files.createDirectories(target.getParent());
                }
                switch (NoReplaceFiles.place(target, w -> new DicomWriter().writeFile(d, w, to.syntax), NoReplaceFiles.SAME_DATA_SET)) {
                    case CREATED -> ok++;
                    case SAME -> {
                        duplicates++;
                        err.println("duplicate " + rel + ": " + out.relativize(target) + " already holds this object; left as it is");
                    }
                    case DIFFERENT -> {
                        failed++;
                        err.println("failed " + rel + ": " + out.relativize(target) + " exists and holds something else; "
                                + "it was not replaced");
                        continue;
                    }
                }
                if (uid != null) {
                    firstByUid.put(uid, target);
                }
            } catch (DicomException e) {
                skipped++;
                err.println("skipped " + rel + ": " + e.getMessage());
            }
        }
        o.println("converted " + ok + " file(s) to " + to.syntax.name() + (duplicates > 0 ? ", duplicates " + duplicates : "")
                + (skipped > 0 ? ", skipped " + skipped : "") + (failed > 0 ? ", failed " + failed : "")
                + " (" + files.size() + " input(s))");
        if (skipped + failed > 0) {
            throw new DicomCliException((skipped + failed) + " of " + files.size() + " file(s) in " + in
                    + " were not converted; the reasons are above");
        }
    }

    /** Reads and decodes one input; a DICOMDIR is refused (see {@link #REFUSE_DICOMDIR}). */
    private static DicomFile decoded(DicomReader reader, Path src) throws IOException {
        DicomFile f = reader.read(src);
        if (MediaDirectory.is(f)) {
            throw new DicomException(REFUSE_DICOMDIR);
        }
        // compressed pixel data cannot be relabelled as a native syntax: decode it first
        return new org.medveil.dicom.pixel.PixelDecoder().toNative(f);
    }

    /**
     * Why a DICOMDIR is not converted: its records point at each other by byte offsets into the
     * file and record each referenced file's transfer syntax, and PS3.10 allows only explicit VR
     * little endian for it, so a converted copy would be invalid or stale.
     */
    static final String REFUSE_DICOMDIR = "is a DICOMDIR (media directory); convert does not rewrite one: its records "
            + "point at each other by byte offset and name each file's transfer syntax, and it must stay explicit VR "
            + "little endian. Make a new one for the converted folder if you need it (e.g. dcmmkdir from dcmtk)";

    /** Whether {@code d}, once written, holds the same data set as the file already converted to {@code first}. */
    private boolean sameAs(DicomFile d, Path first) throws IOException {
        ByteArrayOutputStream ours = new ByteArrayOutputStream();
        new DicomWriter().writeFile(d, ours, to.syntax);
        byte[] bytes = ours.toByteArray();
        if (Arrays.equals(bytes, Files.readAllBytes(first))) {
            return true;
        }
        try {
            return DirectoryStore.sameObject(new DicomReader().read(bytes).dataSet(), new DicomReader().read(first).dataSet());
        } catch (DicomException e) {
            return false;
        }
    }
}
