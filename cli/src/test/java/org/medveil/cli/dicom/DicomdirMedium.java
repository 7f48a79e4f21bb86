package org.medveil.cli.dicom;

import org.junit.jupiter.api.Assertions;
import org.medveil.testsupport.External;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** pydicom's DICOMDIR test medium, and pydicom as the independent reader of a DICOMDIR's references. */
public final class DicomdirMedium {
    private DicomdirMedium() {}

    /** pydicom's list of the files a DICOMDIR references (its Referenced File IDs), as relative paths. */
    public static List<String> pydicomReferences(Path dicomdir) throws Exception {
        Path py = Path.of("/usr/bin/python3");
        String script = "import sys, pydicom\n"
                + "ds = pydicom.dcmread(sys.argv[1])\n"
                + "for r in ds.DirectoryRecordSequence:\n"
                + "    if 'ReferencedFileID' in r:\n"
                + "        v = r.ReferencedFileID\n"
                + "        print('/'.join(v) if isinstance(v, pydicom.multival.MultiValue) else v)\n";
        External.require(Files.isExecutable(py) && External.run(List.of(py.toString(), "-c", "import pydicom")).exit() == 0,
                "/usr/bin/python3 with pydicom (apt-get install -y python3-pydicom)");
        External.Result res = External.run(List.of(py.toString(), "-c", script, dicomdir.toString()));
        Assertions.assertEquals(0, res.exit(), "pydicom cannot read " + dicomdir + ": " + res.err(StandardCharsets.UTF_8));
        return res.out(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    }

    /** pydicom's DICOMDIR test set: the DICOMDIR and the three patient folders it references. */
    public static Path copy(Path target) throws Exception {
        Path src = External.pydicomData("test_files/dicomdirtests/DICOMDIR").getParent();
        Files.createDirectories(target);
        Files.copy(src.resolve("DICOMDIR"), target.resolve("DICOMDIR"));
        for (String patient : List.of("77654033", "98892001", "98892003")) {
            try (Stream<Path> s = Files.walk(src.resolve(patient))) {
                for (Path p : s.toList()) {
                    Path t = target.resolve(src.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(t);
                    } else {
                        Files.copy(p, t);
                    }
                }
            }
        }
        return target;
    }
}
