package org.medveil.testsupport;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExternalTest {

    @Test
    void aMissingPeerSkipsOutsideCiAndFailsUnderCi() {
        TestAbortedException skipped = assertThrows(TestAbortedException.class,
                () -> External.require(false, "tool x (apt-get install -y x)", false));
        assertTrue(skipped.getMessage().contains("missing: tool x"), skipped.getMessage());
        AssertionFailedError failed = assertThrows(AssertionFailedError.class,
                () -> External.require(false, "tool x (apt-get install -y x)", true));
        assertTrue(failed.getMessage().contains("CI=true makes this a failure"), failed.getMessage());
        External.require(true, "present", true);
        External.require(true, "present", false);
    }

    @Test
    void runReturnsExitCodeAndOutput() throws Exception {
        External.Result r = External.run(List.of("sh", "-c", "printf out; printf err >&2; exit 3"));
        assertEquals(3, r.exit());
        assertEquals("out", r.out(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("err", r.err(java.nio.charset.StandardCharsets.UTF_8));
    }
}
