package org.medveil.cli.dicom;

import org.medveil.testsupport.External;

import java.nio.file.Path;
import java.util.List;

/** The cli dicom tests' external peers; the skip-or-fail rule is test-support's {@link External}. */
final class ExternalTools {
    private ExternalTools() {}

    static Path corpusFile(String name) {
        return External.pydicomTestFile(name);
    }

    static Path tool(String name) {
        return External.tool(name, "openssl".equals(name) ? "openssl" : "dcmtk");
    }

    static int run(String... cmd) throws Exception {
        return External.run(List.of(cmd)).exit();
    }
}
