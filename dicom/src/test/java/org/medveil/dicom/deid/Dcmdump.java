package org.medveil.dicom.deid;

import org.medveil.dicom.Environment;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** dcmdump with every long value printed in full (skips, or fails under CI=true, without dcmtk). */
final class Dcmdump {
    private Dcmdump() {}

    static String dump(Path file) throws Exception {
        String[] r = Environment.run(List.of(Environment.tool("dcmdump").toString(), "+L", file.toString()));
        assertEquals("0", r[0], "dcmdump failed on " + file.getFileName() + ": " + r[2]);
        return r[1];
    }
}
