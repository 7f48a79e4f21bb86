package org.medveil.cli.dicom;

import org.medveil.dicom.DicomException;
import org.medveil.dicom.TransferSyntax;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import org.medveil.dicom.io.DicomWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** {@code medveil dicom convert --to SYNTAX IN OUT}: rewrites a file or a folder tree. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Rewrite DICOM files in another native transfer syntax (compressed pixel data is decoded: "
                + "RLE, JPEG, JPEG 2000). IN and OUT are files, or folders (the tree is mirrored; files that are "
                + "not DICOM or cannot be decoded are reported and skipped).")
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
        DicomWriter writer = new DicomWriter();
        try {
            if (Files.isRegularFile(in)) {
                convert(reader, writer, in, Files.isDirectory(out) ? out.resolve(in.getFileName()) : out);
                o.println("converted 1 file to " + to.syntax.name());
                return;
            }
            if (!Files.isDirectory(in)) {
                throw new DicomCliException("no such file or folder: " + in);
            }
            List<Path> files;
            try (Stream<Path> s = Files.walk(in)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            int ok = 0;
            int failed = 0;
            for (Path f : files) {
                Path target = out.resolve(in.relativize(f).toString());
                Files.createDirectories(target.getParent());
                try {
                    convert(reader, writer, f, target);
                    ok++;
                } catch (DicomException e) {
                    failed++;
                    spec.commandLine().getErr().println("skipped " + in.relativize(f) + ": " + e.getMessage());
                }
            }
            o.println("converted " + ok + " file(s) to " + to.syntax.name() + (failed > 0 ? ", skipped " + failed : ""));
            if (failed > 0 && ok == 0) {
                throw new DicomCliException("no file in " + in + " could be converted");
            }
        } catch (IOException e) {
            throw new DicomCliException("conversion failed: " + e.getMessage(), e);
        }
    }

    private void convert(DicomReader reader, DicomWriter writer, Path src, Path dst) throws IOException {
        // compressed pixel data cannot be relabelled as a native syntax: decode it first
        DicomFile f = new org.medveil.dicom.pixel.PixelDecoder().toNative(reader.read(src));
        Path parent = dst.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        writer.writeFile(f, dst, to.syntax);
    }
}
