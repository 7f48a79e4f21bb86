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
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code medveil dicom dump FILE...}: prints files like dcmtk's dcmdump, all in one process. With
 * more than one file (or a folder) each listing starts with a "# dump (i/n): path" line, like
 * {@code dcmdump +F}; a file that cannot be read gets one error line and the run goes on.
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"Print DICOM files' meta header and data set like dcmdump (tag, VR, value, length, keyword).",
                "Several files and folders (read recursively, in name order) are dumped in one run, each after a "
                        + "'# dump (i/n): path' line; a file that cannot be read gets an error line on stderr and the "
                        + "run goes on. Exit code 1 when any file could not be read."})
public final class DumpCommand implements Runnable {
    @Parameters(paramLabel = "FILE", arity = "1..*",
            description = "DICOM files (Part 10, or bare data sets) or folders.")
    List<Path> paths;

    @Option(names = {"-L", "--print-all"}, description = "Print long values completely.")
    boolean printAll;

    @Option(names = "--headers-only", description = "Stop before Pixel Data (does not read large files whole).")
    boolean headersOnly;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        List<Path> files = files();
        DicomReader reader = new DicomReader(headersOnly ? DicomReader.Options.HEADERS : DicomReader.Options.DEFAULT);
        DumpFormatter fmt = new DumpFormatter(printAll);
        PrintWriter out = spec.commandLine().getOut();
        if (paths.size() == 1 && !Files.isDirectory(paths.get(0))) {
            out.print(dump(reader, fmt, files.get(0))); // one file: exactly dcmdump's layout, errors as one line
            out.flush();
            return;
        }
        PrintWriter err = spec.commandLine().getErr();
        int failed = 0;
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            out.print("# dump (" + (i + 1) + "/" + files.size() + "): " + f + "\n");
            try {
                out.print(dump(reader, fmt, f));
            } catch (DicomCliException e) {
                failed++;
                out.print("\n");
                out.flush(); // keep the error next to its header when both streams go to one terminal
                err.println("E: " + e.getMessage());
                err.flush();
            }
            out.flush();
        }
        if (failed > 0) {
            throw new DicomCliException(failed + " of " + files.size() + " file(s) could not be read; see the E: lines");
        }
    }

    /** The files named, folders expanded to their regular files in name order (a missing path fails in its turn). */
    private List<Path> files() {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(Files::isRegularFile).sorted().forEach(files::add);
                } catch (IOException e) {
                    throw new DicomCliException("cannot list " + p + ": " + e.getMessage(), e);
                }
            } else {
                files.add(p);
            }
        }
        if (files.isEmpty()) {
            throw new DicomCliException("no files in " + paths + "; give DICOM files or folders that hold some");
        }
        return files;
    }

    private static String dump(DicomReader reader, DumpFormatter fmt, Path file) {
        DicomFile f;
        try {
            f = reader.read(file);
        } catch (DicomException e) {
            throw new DicomCliException("cannot read " + file.getFileName() + ": " + e.getMessage(), e);
        } catch (NoSuchFileException e) {
            throw new DicomCliException("no such file: " + file + " (give the path of a DICOM file or folder)");
        } catch (IOException e) {
            throw new DicomCliException("cannot read " + file + ": " + e.getMessage(), e);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("\n# Dicom-File-Format\n\n# Dicom-Meta-Information-Header\n# Used TransferSyntax: Little Endian Explicit\n");
        fmt.format(f.meta(), sb);
        sb.append("\n# Dicom-Data-Set\n# Used TransferSyntax: ").append(f.transferSyntax().name()).append('\n');
        fmt.format(f.dataSet(), sb);
        return sb.toString();
    }
}
