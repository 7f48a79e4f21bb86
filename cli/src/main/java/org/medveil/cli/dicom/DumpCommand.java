package org.medveil.cli.dicom;

import org.medveil.dicom.DicomException;
import org.medveil.dicom.dump.DumpFormatter;
import org.medveil.dicom.io.DicomFile;
import org.medveil.dicom.io.DicomReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** {@code medveil dicom dump FILE}: prints a file like dcmtk's dcmdump. */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Print a DICOM file's meta header and data set like dcmdump (tag, VR, value, length, keyword).")
public final class DumpCommand implements Runnable {
    @Parameters(paramLabel = "FILE", description = "DICOM file (Part 10, or a bare data set).")
    Path file;

    @Option(names = {"-L", "--print-all"}, description = "Print long values completely.")
    boolean printAll;

    @Option(names = "--headers-only", description = "Stop before Pixel Data (does not read large files whole).")
    boolean headersOnly;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        if (!Files.isRegularFile(file)) {
            throw new DicomCliException("no such file: " + file + " (give the path of a DICOM file)");
        }
        DicomReader reader = new DicomReader(headersOnly ? DicomReader.Options.HEADERS : DicomReader.Options.DEFAULT);
        DicomFile f;
        try {
            f = reader.read(file);
        } catch (DicomException e) {
            throw new DicomCliException("cannot read " + file.getFileName() + ": " + e.getMessage(), e);
        } catch (NoSuchFileException e) {
            throw new DicomCliException("no such file: " + file);
        } catch (IOException e) {
            throw new DicomCliException("cannot read " + file + ": " + e.getMessage(), e);
        }
        DumpFormatter fmt = new DumpFormatter(printAll);
        PrintWriter out = spec.commandLine().getOut();
        StringBuilder sb = new StringBuilder();
        sb.append("\n# Dicom-File-Format\n\n# Dicom-Meta-Information-Header\n# Used TransferSyntax: Little Endian Explicit\n");
        fmt.format(f.meta(), sb);
        sb.append("\n# Dicom-Data-Set\n# Used TransferSyntax: ").append(f.transferSyntax().name()).append('\n');
        fmt.format(f.dataSet(), sb);
        out.print(sb);
        out.flush();
    }
}
