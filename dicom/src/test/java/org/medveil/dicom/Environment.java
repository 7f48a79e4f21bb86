package org.medveil.dicom;

import org.medveil.testsupport.External;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The dicom tests' view of their external peers (dcmtk, Orthanc, pydicom's corpus); the rule for a
 * missing one (skip, or fail under CI=true) is test-support's {@link External}.
 */
public final class Environment {
    private Environment() {}

    public static final Path PYDICOM_DATA = External.PYDICOM_DATA;

    /** Skips (or fails under CI=true) unless {@code ok}. */
    public static void require(boolean ok, String what) {
        External.require(ok, what + " (apt-get install -y dcmtk orthanc python3-pydicom)");
    }

    /** Path of an executable on PATH, or skip/fail. */
    public static Path tool(String name) {
        return External.tool(name, switch (name) {
            case "Orthanc" -> "orthanc";
            case "openssl" -> "openssl";
            case "gdcmconv", "gdcminfo", "gdcmdump", "gdcmraw", "gdcmanon" -> "libgdcm-tools";
            default -> "dcmtk";
        });
    }

    /** The system python3 with pydicom, Pillow (OpenJPEG) and numpy, used as a reference decoder; or skip/fail. */
    public static Path referencePython() {
        Path py = Path.of("/usr/bin/python3");
        boolean ok = false;
        if (Files.isExecutable(py)) {
            try {
                ok = run(List.of(py.toString(), "-c", "import pydicom, PIL, numpy"))[0].equals("0");
            } catch (Exception e) {
                ok = false;
            }
        }
        require(ok, "/usr/bin/python3 with pydicom, Pillow and numpy (python3-pydicom python3-pil python3-numpy)");
        return py;
    }

    /** True if the tool is on PATH (no skipping). */
    public static boolean hasTool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    /** Debian's libgdcm3.0 example files (/usr/share/doc/libgdcm3.0/examples). */
    public static final Path GDCM_EXAMPLES = Path.of("/usr/share/doc/libgdcm3.0/examples");

    /** True if pydicom's test corpus is installed (no skipping; see {@link #corpus()}). */
    public static boolean corpusPresent() {
        return Files.isDirectory(PYDICOM_DATA.resolve("test_files"));
    }

    /** The *.dcm files of gdcm's Debian examples (skip/fail if absent). */
    public static List<Path> gdcmExamples() {
        require(Files.isDirectory(GDCM_EXAMPLES), "gdcm example files " + GDCM_EXAMPLES + " (apt-get install -y libgdcm3.0)");
        try (Stream<Path> s = Files.list(GDCM_EXAMPLES)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".dcm")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Every DICOM file of pydicom's test_files/ and charset_files/ (skip/fail if absent). */
    public static List<Path> corpus() {
        require(Files.isDirectory(PYDICOM_DATA.resolve("test_files")), "pydicom test corpus " + PYDICOM_DATA);
        List<Path> out = new ArrayList<>();
        for (String sub : List.of("test_files", "charset_files")) {
            try (Stream<Path> s = Files.walk(PYDICOM_DATA.resolve(sub))) {
                s.filter(Files::isRegularFile).filter(Environment::looksDicom).sorted().forEach(out::add);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return out;
    }

    /** Corpus file by name relative to the pydicom data folder, e.g. "test_files/CT_small.dcm". */
    public static Path corpusFile(String relative) {
        Path p = PYDICOM_DATA.resolve(relative);
        require(Files.isRegularFile(p), "pydicom test file " + relative);
        return p;
    }

    private static boolean looksDicom(Path p) {
        String n = p.getFileName().toString();
        return !(n.endsWith(".txt") || n.endsWith(".json") || n.endsWith(".dump") || n.endsWith(".gz")
                || n.equals("README"));
    }

    /** Runs a command, returns {exit code, stdout (ISO-8859-1), stderr}; bounded to 60 s. */
    public static String[] run(List<String> cmd) throws Exception {
        External.Result r = External.run(cmd);
        return new String[] {Integer.toString(r.exit()), r.out(StandardCharsets.ISO_8859_1),
                r.err(StandardCharsets.ISO_8859_1)};
    }
}
