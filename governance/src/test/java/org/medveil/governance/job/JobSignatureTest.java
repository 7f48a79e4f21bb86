package org.medveil.governance.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.canonical.Jcs;
import org.medveil.governance.crypto.Sha256;
import org.medveil.governance.pki.Pem;
import org.medveil.testsupport.External;

/** Signed jobs with real kits: exact bytes, openssl-verifiable signature, each refusal typed. */
class JobSignatureTest {

    @TempDir
    static Path shared;
    static JobFixture fx;

    @TempDir
    Path tmp;

    @BeforeAll
    static void provision() {
        fx = new JobFixture(shared);
    }

    private static JobException refused(SignedJob job, JobException.Problem expected) {
        JobException e = assertThrows(JobException.class, () -> job.verify(fx.bob.caCertificate(), fx.crl));
        assertEquals(expected, e.problem(), e.getMessage());
        return e;
    }

    private static SignedJob received(SignedJob j) {
        return SignedJob.of(j.signedBytes(), j.signature(), j.researcherDer());
    }

    @Test
    void aJobSignedByAResearcherVerifiesAndReadsBackFromItsBytes() {
        SignedJob j = JobFixture.sign(JobFixture.SPEC, fx.bob);
        SignedJob r = received(j);
        r.verify(fx.bob.caCertificate(), fx.crl);
        assertEquals(j.jobId(), r.jobId());
        assertTrue(r.jobId().matches("job-[0-9a-f]{16}"), r.jobId());
        assertEquals(Sha256.hex(j.signedBytes()), r.digest());
        assertEquals(JobFixture.spec(JobFixture.SPEC), r.spec());
        assertEquals(JobFixture.MODEL_DIGEST, r.initialModelDigest());
        assertEquals(fx.bob.fingerprint(), r.researcherFingerprint());
        assertEquals("bob", r.researcherIdentity().name());
        // The signed bytes are canonical JSON holding the spec's own canonical object.
        String json = new String(r.signedBytes(), StandardCharsets.UTF_8);
        assertArrayEquals(Jcs.canonicalize(Jcs.parse(r.signedBytes())), r.signedBytes());
        assertTrue(json.startsWith("{\"format\":\"medveil-job/v1\",\"initialModelDigest\":\"" + JobFixture.MODEL_DIGEST), json);
        assertTrue(json.contains("\"spec\":" + new String(r.spec().canonicalBytes(), StandardCharsets.UTF_8)), json);
    }

    @Test
    void opensslAloneVerifiesTheSignatureOverTheSignedBytes() throws Exception {
        Path openssl = External.tool("openssl", "openssl");
        SignedJob j = JobFixture.sign(JobFixture.SPEC, fx.bob);
        Path bytes = Files.write(tmp.resolve("job.json"), j.signedBytes());
        Path sig = Files.write(tmp.resolve("job.sig"), j.signature());
        Path cert = Files.writeString(tmp.resolve("researcher.pem"), Pem.encode(j.researcher()));
        External.Result key = External.run(List.of(openssl.toString(), "x509", "-in", cert.toString(), "-pubkey", "-noout"));
        assertEquals(0, key.exit(), key.err(StandardCharsets.UTF_8));
        Path pub = Files.write(tmp.resolve("researcher.pub"), key.out());
        External.Result ok = External.run(List.of(openssl.toString(), "dgst", "-sha256", "-verify", pub.toString(),
                "-signature", sig.toString(), bytes.toString()));
        assertEquals(0, ok.exit(), ok.err(StandardCharsets.UTF_8));
        assertTrue(ok.out(StandardCharsets.UTF_8).contains("Verified OK"));
        byte[] changed = j.signedBytes();
        changed[changed.length - 3] ^= 1;
        Files.write(bytes, changed);
        External.Result bad = External.run(List.of(openssl.toString(), "dgst", "-sha256", "-verify", pub.toString(),
                "-signature", sig.toString(), bytes.toString()));
        assertEquals(1, bad.exit(), bad.out(StandardCharsets.UTF_8));
    }

    @Test
    void aTamperedSignedByteIsABadSignature() {
        SignedJob j = JobFixture.sign(JobFixture.SPEC, fx.bob);
        byte[] b = j.signedBytes();
        String json = new String(b, StandardCharsets.UTF_8);
        // "seed":"7" becomes "seed":"8": still a canonical, well-formed job, but not the one signed.
        int at = json.indexOf("\"seed\":\"7\"") + 8;
        b[at] = '8';
        SignedJob tampered = SignedJob.of(b, j.signature(), j.researcherDer());
        assertEquals(8, tampered.spec().seed());
        JobException e = refused(tampered, JobException.Problem.BAD_SIGNATURE);
        assertTrue(e.getMessage().contains("changed after signing"), e.getMessage());
        // A flipped signature byte too.
        byte[] sig = j.signature();
        sig[sig.length - 1] ^= 1;
        refused(SignedJob.of(j.signedBytes(), sig, j.researcherDer()), JobException.Problem.BAD_SIGNATURE);
    }

    @Test
    void bytesThatAreNotACanonicalSignedJobAreMalformed() {
        SignedJob j = JobFixture.sign(JobFixture.SPEC, fx.bob);
        String json = new String(j.signedBytes(), StandardCharsets.UTF_8);
        for (String bad : List.of(json.replace("{\"format\"", "{ \"format\""),
                json.replace("\"rounds\":3", "\"rounds\":0"),
                json.replace("\"batchSize\":32,", ""),
                json.replace("medveil-job/v1", "medveil-job/v9"))) {
            JobException e = assertThrows(JobException.class,
                    () -> SignedJob.of(bad.getBytes(StandardCharsets.UTF_8), j.signature(), j.researcherDer()), bad);
            assertEquals(JobException.Problem.MALFORMED, e.problem(), e.getMessage());
        }
    }

    @Test
    void aJobSignedByADataManagerKitIsRefused() {
        JobException e = refused(received(JobFixture.sign(JobFixture.SPEC, fx.dm)), JobException.Problem.NOT_RESEARCHER);
        assertTrue(e.getMessage().contains("user dm-one (data-manager)"), e.getMessage());
        refused(received(JobFixture.sign(JobFixture.SPEC, fx.site)), JobException.Problem.NOT_RESEARCHER);
    }

    @Test
    void aRevokedResearcherIsRefused() {
        JobException e = refused(received(JobFixture.sign(JobFixture.SPEC, fx.eve)), JobException.Problem.REVOKED);
        assertTrue(e.getMessage().contains("no longer admitted"), e.getMessage());
    }

    @Test
    void anExpiredCertificateIsRefused() {
        refused(received(JobFixture.sign(JobFixture.SPEC, fx.old)), JobException.Problem.EXPIRED);
        SignedJob j = received(JobFixture.sign(JobFixture.SPEC, fx.bob));
        JobException later = assertThrows(JobException.class,
                () -> j.verify(fx.bob.caCertificate(), fx.crl, Instant.now().plus(Duration.ofDays(400))));
        assertEquals(JobException.Problem.EXPIRED, later.problem());
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() {
        refused(received(JobFixture.sign(JobFixture.SPEC, fx.foreignBob)), JobException.Problem.NOT_FROM_CA);
    }

    @Test
    void aSwappedCertificateIsRefused() {
        SignedJob j = JobFixture.sign(JobFixture.SPEC, fx.bob);
        refused(SignedJob.of(j.signedBytes(), j.signature(), JobFixture.sign(JobFixture.SPEC, fx.alice).researcherDer()),
                JobException.Problem.WRONG_CERTIFICATE);
    }

    @Test
    void aJobForAnotherProjectIsRefused() {
        refused(received(JobFixture.sign(JobFixture.SPEC.replace("project: lung", "project: heart"), fx.bob)),
                JobException.Problem.WRONG_PROJECT);
    }
}
