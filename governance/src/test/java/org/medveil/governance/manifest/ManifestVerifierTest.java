package org.medveil.governance.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.canonical.Jcs;
import org.medveil.governance.crypto.CertifiedKey;
import org.medveil.governance.crypto.Signatures;
import org.medveil.governance.pki.Certificates;
import org.medveil.governance.pki.Pem;
import org.medveil.testsupport.External;

/** Signed, chained round manifests: written, verified with only the CA, and every kind of tampering named. */
class ManifestVerifierTest {

    @TempDir
    static Path shared;
    static ManifestFixture fx;
    static ManifestFixture foreign;

    @TempDir
    Path tmp;

    @BeforeAll
    static void provision() {
        fx = new ManifestFixture(shared, "lung");
        foreign = new ManifestFixture(shared, "other");
    }

    private ManifestReport verify(Path dir) {
        return ManifestVerifier.verify(dir, fx.coordinator.caCertificate());
    }

    private static void assertBad(ManifestReport r, String file, String words) {
        assertFalse(r.ok(), "expected a problem in " + file);
        assertEquals(file, r.problems().get(0).file(), r.problems().toString());
        assertTrue(r.problems().get(0).reason().contains(words), r.problems().toString());
    }

    @Test
    @Tag("REQ-FL-2")
    @Tag("REQ-FL-3")
    void aChainOfThreeCountersignedRoundsVerifiesWithOnlyTheCa() throws Exception {
        Path dir = fx.writeChain(tmp.resolve("m"), 3);
        ManifestReport r = verify(dir);
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(3, r.rounds());
        assertEquals(6, r.countersignatures());
        assertEquals(List.of(), r.warnings());
        assertEquals("job-1", r.jobId());
        // The file holds exactly the canonical bytes and the next round names their digest.
        byte[] one = Files.readAllBytes(dir.resolve("round-000001.json"));
        RoundManifest m1 = Jcs.read(one, RoundManifest.class);
        org.junit.jupiter.api.Assertions.assertArrayEquals(m1.canonicalBytes(), one);
        assertEquals("0.81", m1.metrics().get("accuracy"));
        assertEquals(2, m1.sites().size());
        assertEquals(m1.digest(), Jcs.read(Files.readAllBytes(dir.resolve("round-000002.json")), RoundManifest.class)
                .previousManifestDigest());
        assertEquals(Certificates.fingerprint(fx.coordinator.certificate()),
                Certificates.fingerprint(Pem.readCertificate(dir.resolve("coordinator.pem"))));
    }

    @Test
    @Tag("REQ-FL-3")
    void opensslAloneVerifiesTheCoordinatorSignatureAndACountersignature() throws Exception {
        Path openssl = External.tool("openssl", "openssl");
        Path dir = fx.writeChain(tmp.resolve("m"), 1);
        for (String[] pair : List.of(new String[] {"coordinator.pem", "round-000001.sig"},
                new String[] {"site-hospital-a.pem", "round-000001.site-hospital-a.sig"})) {
            External.Result key = External.run(List.of(openssl.toString(), "x509", "-in", dir.resolve(pair[0]).toString(),
                    "-pubkey", "-noout"));
            assertEquals(0, key.exit(), key.err(StandardCharsets.UTF_8));
            Path pub = tmp.resolve(pair[0] + ".pub");
            Files.write(pub, key.out());
            External.Result ok = External.run(List.of(openssl.toString(), "dgst", "-sha256", "-verify", pub.toString(),
                    "-signature", dir.resolve(pair[1]).toString(), dir.resolve("round-000001.json").toString()));
            assertEquals(0, ok.exit(), ok.err(StandardCharsets.UTF_8) + ok.out(StandardCharsets.UTF_8));
            assertTrue(ok.out(StandardCharsets.UTF_8).contains("Verified OK"));
        }
        // The README's check that coordinator.pem comes from the project CA.
        External.Result chain = External.run(List.of(openssl.toString(), "verify", "-CAfile",
                fx.prov.resolve("ca/ca.pem").toString(), "-purpose", "any", dir.resolve("coordinator.pem").toString()));
        assertEquals(0, chain.exit(), chain.err(StandardCharsets.UTF_8) + chain.out(StandardCharsets.UTF_8));
        // ...and refuses a manifest changed by one byte.
        Path json = dir.resolve("round-000001.json");
        flip(json, Files.readString(json).indexOf("\"round\":1") + 8);
        External.Result key = External.run(List.of(openssl.toString(), "x509", "-in", dir.resolve("coordinator.pem").toString(),
                "-pubkey", "-noout"));
        Files.write(tmp.resolve("c.pub"), key.out());
        External.Result bad = External.run(List.of(openssl.toString(), "dgst", "-sha256", "-verify",
                tmp.resolve("c.pub").toString(), "-signature", dir.resolve("round-000001.sig").toString(), json.toString()));
        assertEquals(1, bad.exit());
    }

    @Test
    void aFlippedByteInADigestIsABadSignature() throws Exception {
        Path dir = fx.writeChain(tmp.resolve("m"), 3);
        Path json = dir.resolve("round-000002.json");
        int at = Files.readString(json).indexOf("\"aggregateDigest\":\"") + 20;
        flip(json, at); // a hex digit becomes another hex digit: still canonical, the signature no longer matches
        assertBad(verify(dir), "round-000002.json", "signature");
    }

    @Test
    void anEditedFieldRecanonicalisedButNotResignedIsABadSignature() throws Exception {
        Path dir = fx.writeChain(tmp.resolve("m"), 2);
        Path json = dir.resolve("round-000001.json");
        Files.write(json, Files.readString(json).replace("\"accuracy\":\"0.81\"", "\"accuracy\":\"0.99\"")
                .getBytes(StandardCharsets.UTF_8));
        assertBad(verify(dir), "round-000001.json", "does not verify");
    }

    @Test
    void nonCanonicalBytesAreNamedAsSuch() throws Exception {
        Path dir = fx.writeChain(tmp.resolve("m"), 1);
        Path json = dir.resolve("round-000001.json");
        Files.write(json, (Files.readString(json) + "\n").getBytes(StandardCharsets.UTF_8));
        assertBad(verify(dir), "round-000001.json", "canonical");
    }

    @Test
    void anUnknownMemberIsRefusedEvenWhenCanonicalAndSigned() throws Exception {
        Path dir = fx.writeChain(tmp.resolve("m"), 1);
        Path json = dir.resolve("round-000001.json");
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) Jcs.parse(Files.readAllBytes(json));
        tree.put("zNote", "hidden");
        byte[] bytes = Jcs.canonicalize(tree);
        Files.write(json, bytes);
        Files.write(dir.resolve("round-000001.sig"), fx.coordinatorKey().sign(bytes));
        assertBad(verify(dir), "round-000001.json", "zNote");
    }

    @Test
    void aMissingRoundIsNamed() throws Exception {
        Path dir = fx.writeChain(tmp.resolve("m"), 3);
        Files.delete(dir.resolve("round-000002.json"));
        assertBad(verify(dir), "round-000002.json", "missing");
    }

    @Test
    void reorderedRoundsAreNamed() throws Exception {
        Path dir = fx.writeChain(tmp.resolve("m"), 3);
        swap(dir, "round-000002.json", "round-000003.json");
        swap(dir, "round-000002.sig", "round-000003.sig");
        assertBad(verify(dir), "round-000002.json", "renamed or reordered");
    }

    /** The coordinator (whose key signs) rewrites round 2 later: round 3's previous digest gives it away. */
    @Test
    @Tag("REQ-FL-2")
    void aRoundReplacedAndResignedBreaksTheChainAtTheNextRound() throws Exception {
        Path dir = fx.writeChain(tmp.resolve("m"), 3);
        RoundManifest original = Jcs.read(Files.readAllBytes(dir.resolve("round-000002.json")), RoundManifest.class);
        RoundManifest forged = new RoundManifest(original.format(), original.project(), original.jobId(),
                original.jobDigest(), 2, original.sites().subList(0, 1), original.aggregateDigest(),
                original.decryptionQuorum(), original.heParameters(), original.modelDigestIn(), original.modelDigestOut(),
                original.metrics(), original.startedAt(), original.finishedAt(), original.previousManifestDigest());
        byte[] bytes = forged.canonicalBytes();
        Files.write(dir.resolve("round-000002.json"), bytes);
        Files.write(dir.resolve("round-000002.sig"), fx.coordinatorKey().sign(bytes));
        Files.delete(dir.resolve("round-000002.site-hospital-b.sig"));
        Files.delete(dir.resolve("round-000002.site-hospital-a.sig")); // its countersignature would give it away too
        assertBad(verify(dir), "round-000003.json", "previousManifestDigest");
    }

    @Test
    void aSignatureByAnotherKeyIsRefused() throws Exception {
        Path dir = fx.writeChain(tmp.resolve("m"), 1);
        byte[] bytes = Files.readAllBytes(dir.resolve("round-000001.json"));
        Files.write(dir.resolve("round-000001.sig"), fx.siteKey(0).sign(bytes));
        assertBad(verify(dir), "round-000001.json", "not the coordinator's");
    }

    @Test
    void aSignerThatIsNotTheCoordinatorIsRefused() throws Exception {
        Path dir = fx.writeChain(tmp.resolve("m"), 1);
        byte[] bytes = Files.readAllBytes(dir.resolve("round-000001.json"));
        Files.write(dir.resolve("round-000001.sig"), fx.siteKey(0).sign(bytes));
        Files.writeString(dir.resolve("coordinator.pem"), Pem.encode(fx.sites.get(0).certificate()));
        assertBad(verify(dir), "coordinator.pem", "not a coordinator");
        assertThrows(ManifestException.class, () -> ManifestWriter.write(tmp.resolve("w"),
                fx.round(1, RoundManifest.GENESIS), fx.siteKey(0)));
    }

    @Test
    void aForeignCaIsRefused() {
        Path dir = fx.writeChain(tmp.resolve("m"), 1);
        assertBad(ManifestVerifier.verify(dir, foreign.coordinator.caCertificate()), "coordinator.pem", "not issued by the project CA");
        // A foreign project's coordinator, with its own CA's certificate, signing our manifest: refused too.
        Path dir2 = tmp.resolve("m2");
        assertThrows(ManifestException.class, () -> ManifestWriter.write(dir2, fx.round(1, RoundManifest.GENESIS),
                foreign.coordinatorKey()));
    }

    @Test
    void aCountersignatureByTheWrongSiteIsNamed() throws Exception {
        Path dir = fx.writeChain(tmp.resolve("m"), 2);
        byte[] bytes = Files.readAllBytes(dir.resolve("round-000002.json"));
        Files.write(dir.resolve("round-000002.site-hospital-a.sig"), fx.siteKey(1).sign(bytes));
        assertBad(verify(dir), "round-000002.site-hospital-a.sig", "another key");
    }

    @Test
    void aCountersignatureByASiteThatDidNotTakePartIsNamed() throws Exception {
        Path dir = fx.writeChain(tmp.resolve("m"), 1);
        byte[] bytes = Files.readAllBytes(dir.resolve("round-000001.json"));
        Files.write(dir.resolve("round-000001.site-hospital-c.sig"), fx.siteKey(2).sign(bytes));
        Files.writeString(dir.resolve("site-hospital-c.pem"), Pem.encode(fx.sites.get(2).certificate()));
        assertBad(verify(dir), "round-000001.site-hospital-c.sig", "did not take part");
        assertThrows(ManifestException.class, () -> ManifestWriter.countersign(dir, 1, fx.siteKey(2)));
    }

    @Test
    void aCountersignatureReceivedFromASiteIsStoredOnlyWhenItVerifiesOverTheStoredBytes() throws Exception {
        Path dir = tmp.resolve("m");
        ManifestWriter.write(dir, fx.round(1, RoundManifest.GENESIS), fx.coordinatorKey());
        byte[] bytes = Files.readAllBytes(dir.resolve("round-000001.json"));
        byte[] other = "another manifest".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.security.cert.X509Certificate a = fx.sites.get(0).certificate();
        ManifestException overOther = assertThrows(ManifestException.class,
                () -> ManifestWriter.addCountersignature(dir, 1, a, fx.siteKey(0).sign(other)));
        assertTrue(overOther.getMessage().contains("does not verify"), overOther.getMessage());
        assertThrows(ManifestException.class, () -> ManifestWriter.addCountersignature(dir, 1, a, fx.siteKey(1).sign(bytes)));
        assertThrows(ManifestException.class, () -> ManifestWriter.addCountersignature(dir, 1,
                fx.sites.get(2).certificate(), fx.siteKey(2).sign(bytes)), "a site the manifest does not list");
        assertFalse(Files.exists(dir.resolve("round-000001.site-hospital-a.sig")));
        ManifestWriter.addCountersignature(dir, 1, a, fx.siteKey(0).sign(bytes));
        ManifestWriter.addCountersignature(dir, 1, fx.sites.get(1).certificate(), fx.siteKey(1).sign(bytes));
        ManifestReport r = ManifestVerifier.verify(dir, fx.coordinator.caCertificate(), true);
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(2, r.countersignatures());
    }

    @Test
    void aMissingCountersignatureIsAWarningOrAProblemWhenRequired() throws Exception {
        Path dir = fx.writeChain(tmp.resolve("m"), 2);
        Files.delete(dir.resolve("round-000002.site-hospital-b.sig"));
        ManifestReport r = verify(dir);
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(1, r.warnings().size());
        assertTrue(r.warnings().get(0).contains("hospital-b"));
        assertBad(ManifestVerifier.verify(dir, fx.coordinator.caCertificate(), true),
                "round-000002.site-hospital-b.sig", "has not countersigned");
    }

    @Test
    void theWriterRefusesABrokenChainAGapAndARewrite() {
        Path dir = fx.writeChain(tmp.resolve("m"), 1);
        assertThrows(ManifestException.class, () -> ManifestWriter.write(dir, fx.round(2, "1".repeat(64)), fx.coordinatorKey()));
        assertThrows(ManifestException.class, () -> ManifestWriter.write(dir, fx.round(3, "1".repeat(64)), fx.coordinatorKey()));
        assertThrows(ManifestException.class, () -> ManifestWriter.write(dir, fx.round(1, RoundManifest.GENESIS), fx.coordinatorKey()));
        assertThrows(ManifestException.class, () -> fx.round(1, "1".repeat(64)));
    }

    @Test
    void theConstructorRefusesGradesAboveThreeAndFractionalNumbersNeverAppear() {
        RoundManifest m = fx.round(1, RoundManifest.GENESIS);
        var s = m.sites().get(0);
        var bad = new RoundManifest.SiteEntry(s.site(), s.certificateFingerprint(), s.duaId(),
                new RoundManifest.DataDescriptor(List.of(new RoundManifest.GradeCount("clinical-structural", 4, 1)),
                        s.data().deidProfileDigest(), s.data().datasetMerkleRoot()), s.contribution());
        ManifestException e = assertThrows(ManifestException.class, () -> new RoundManifest(m.format(), m.project(),
                m.jobId(), m.jobDigest(), 1, List.of(bad), m.aggregateDigest(), m.decryptionQuorum(), m.heParameters(),
                m.modelDigestIn(), m.modelDigestOut(), m.metrics(), m.startedAt(), m.finishedAt(), m.previousManifestDigest()));
        assertTrue(e.getMessage().contains("grade 4"), e.getMessage());
        assertTrue(Signatures.verify(fx.coordinator.certificate().getPublicKey(), m.canonicalBytes(),
                fx.coordinatorKey().sign(m.canonicalBytes())));
        assertTrue(ManifestText.render(m).contains("hospital-a"));
    }

    static void flip(Path file, int at) throws Exception {
        byte[] b = Files.readAllBytes(file);
        b[at] = (byte) (b[at] == '0' ? '1' : '0');
        Files.write(file, b);
    }

    static void swap(Path dir, String a, String b) throws Exception {
        Path t = dir.resolve("swap.tmp");
        Files.move(dir.resolve(a), t);
        Files.move(dir.resolve(b), dir.resolve(a));
        Files.move(t, dir.resolve(b), StandardCopyOption.ATOMIC_MOVE);
    }
}
