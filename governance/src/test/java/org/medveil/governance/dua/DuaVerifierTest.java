package org.medveil.governance.dua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.medveil.governance.config.ConfigException;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.pki.PkiException;
import org.medveil.governance.pki.ProjectSpec;
import org.medveil.governance.pki.Provisioner;
import org.medveil.governance.pki.Role;

/** Data use agreements signed with real user kits: in force only with both signatures, right roles, right people and period. */
class DuaVerifierTest {

    @TempDir
    static Path shared;
    static Kit dm;
    static Kit bob;
    static Kit carol;
    static Kit otherDm;
    static Kit foreignDm;
    static Kit foreignBob;

    @TempDir
    Path tmp;

    static final Instant IN_PERIOD = Instant.now();

    static final String YAML = """
            # signed agreement between hospital-a and a researcher
            id: dua-2026-007
            project: lung
            parties: {site: hospital-a, dataManager: dm-one, researcher: bob, organisation: Example University}
            purpose: research
            waysOfUse: [federated-training, evaluation]
            period: {from: %s, to: %s}
            protection: [de-identification to grade 3 or lower, HE-encrypted updates only]
            breachPlan:
              contact: dpo@hospital-a.example
              steps: [stop the job, notify the data manager within 24 h]
            dataScope: {modalities: [CT], categories: [clinical-structural], maxGrade: 3}
            """;

    @BeforeAll
    static void provision() {
        Path prov = shared.resolve("prov");
        Provisioner.init(new ProjectSpec("lung", "localhost:8443", null, null, List.of("hospital-a"), List.of(
                new ProjectSpec.User("dm-one", "data-manager"), new ProjectSpec.User("dm-two", "data-manager"),
                new ProjectSpec.User("bob", "researcher"), new ProjectSpec.User("carol", "compliance-officer"))),
                prov, Clock.systemUTC());
        dm = Kit.load(prov.resolve("users/dm-one"));
        otherDm = Kit.load(prov.resolve("users/dm-two"));
        bob = Kit.load(prov.resolve("users/bob"));
        carol = Kit.load(prov.resolve("users/carol"));
        Path foreign = shared.resolve("foreign");
        Provisioner.init(new ProjectSpec("lung", "localhost:8443", null, null, List.of(), List.of(
                new ProjectSpec.User("dm-one", "data-manager"), new ProjectSpec.User("bob", "researcher"))),
                foreign, Clock.systemUTC());
        foreignDm = Kit.load(foreign.resolve("users/dm-one"));
        foreignBob = Kit.load(foreign.resolve("users/bob"));
    }

    private Path write(String from, String to) throws Exception {
        Path f = tmp.resolve("DUA.yaml");
        Files.writeString(f, YAML.formatted(from, to));
        return f;
    }

    private static String today(int plusDays) {
        return java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(plusDays).toString();
    }

    private static List<DuaSignature> both(DataUseAgreement d) {
        return List.of(DuaSignature.sign(d, dm), DuaSignature.sign(d, bob));
    }

    private static DuaReport check(DataUseAgreement d, List<DuaSignature> sigs) {
        return DuaVerifier.verify(d, sigs, dm.caCertificate(), IN_PERIOD);
    }

    private static void assertProblem(DuaReport r, String words) {
        assertFalse(r.ok(), "expected a problem mentioning " + words);
        assertTrue(r.problems().stream().anyMatch(p -> p.contains(words)), r.problems().toString());
    }

    @Test
    @Tag("REQ-USE-2")
    void signedByBothPartiesWithinThePeriodIsInForce() throws Exception {
        Path f = write(today(-30), today(30));
        DataUseAgreement d = DataUseAgreement.read(f);
        DuaSignature.sign(d, dm).write(f);
        DuaSignature.sign(d, bob).write(f);
        List<DuaSignature> sigs = List.of(DuaSignature.read(f, Role.DATA_MANAGER), DuaSignature.read(f, Role.RESEARCHER));
        DuaReport r = check(DataUseAgreement.read(f), sigs);
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(1, r.warnings().size()); // no site list given: the limit is stated
        assertTrue(DuaVerifier.verify(d, sigs, dm.caCertificate(), IN_PERIOD,
                org.medveil.governance.pki.RevocationList.none(dm.caCertificate()), List.of("dm-one")).warnings().isEmpty());
        // USE-2: the scope, ways of use, protections and limits are part of what is signed.
        String signed = new String(d.canonicalBytes(), java.nio.charset.StandardCharsets.UTF_8);
        for (String s : List.of("\"maxGrade\":3", "\"waysOfUse\":[\"federated-training\",\"evaluation\"]",
                "\"protection\":", "\"breachPlan\":", "\"purpose\":\"research\"")) {
            assertTrue(signed.contains(s), s + " in " + signed);
        }
    }

    @Test
    void reformattingTheYamlKeepsTheSignaturesButEditingAValueBreaksThem() throws Exception {
        Path f = write(today(-30), today(30));
        DataUseAgreement d = DataUseAgreement.read(f);
        List<DuaSignature> sigs = both(d);
        Files.writeString(f, "# a new comment\n" + Files.readString(f).replace("{modalities: [CT], categories: [clinical-structural], maxGrade: 3}",
                "\n  modalities: [CT]\n  categories: [clinical-structural]\n  maxGrade: 3"));
        assertTrue(check(DataUseAgreement.read(f), sigs).ok());
        Files.writeString(f, Files.readString(f).replace("maxGrade: 3", "maxGrade: 2"));
        DuaReport r = check(DataUseAgreement.read(f), sigs);
        assertProblem(r, "data-manager signature by user dm-one (data-manager) does not verify");
        assertProblem(r, "researcher signature by user bob (researcher) does not verify");
    }

    @Test
    @DisplayName("an agreement travels as its canonical bytes: they parse back to the same agreement whose signatures"
            + " verify; re-encoded or edited bytes are refused")
    void canonicalBytesTravel() throws Exception {
        DataUseAgreement d = DataUseAgreement.read(write(today(-1), today(1)));
        byte[] wire = d.canonicalBytes();
        DataUseAgreement back = DataUseAgreement.fromCanonical(wire);
        assertEquals(d, back);
        assertTrue(check(back, both(d)).ok());
        String json = new String(wire, java.nio.charset.StandardCharsets.UTF_8);
        assertThrows(IllegalArgumentException.class, () -> DataUseAgreement.fromCanonical(
                json.replace("{\"", "{ \"").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        DataUseAgreement edited = DataUseAgreement.fromCanonical(json.replace("\"maxGrade\":3", "\"maxGrade\":2")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertFalse(check(edited, both(d)).ok(), "an edited agreement must not verify under the original signatures");
    }

    @Test
    void aFlippedSignatureByteIsRefused() throws Exception {
        DataUseAgreement d = DataUseAgreement.read(write(today(-1), today(1)));
        DuaSignature s = DuaSignature.sign(d, bob);
        byte[] sig = s.signature().clone();
        sig[sig.length - 3] ^= 1;
        assertProblem(check(d, List.of(DuaSignature.sign(d, dm), new DuaSignature(Role.RESEARCHER, sig, s.certificate()))),
                "does not verify");
    }

    @Test
    void aMissingSignatureMeansNotInForce() throws Exception {
        DataUseAgreement d = DataUseAgreement.read(write(today(-1), today(1)));
        assertProblem(check(d, List.of(DuaSignature.sign(d, dm))), "researcher signature (by bob) is missing");
        assertProblem(check(d, List.of(DuaSignature.sign(d, bob))), "data-manager signature (by dm-one) is missing");
    }

    @Test
    void anExpiredOrFuturePeriodMeansNotInForce() throws Exception {
        DataUseAgreement expired = DataUseAgreement.read(write(today(-60), today(-1)));
        assertProblem(check(expired, both(expired)), "expired");
        DataUseAgreement future = DataUseAgreement.read(write(today(1), today(60)));
        assertProblem(check(future, both(future)), "not in force yet");
    }

    @Test
    void theWrongSignerIsRefused() throws Exception {
        DataUseAgreement d = DataUseAgreement.read(write(today(-1), today(1)));
        // Another data manager's signature, presented as the data manager's: right role, wrong person.
        DuaSignature byOther = new DuaSignature(Role.DATA_MANAGER,
                org.medveil.governance.crypto.CertifiedKey.of(otherDm).sign(d.canonicalBytes()), otherDm.certificate());
        assertProblem(check(d, List.of(byOther, DuaSignature.sign(d, bob))), "names dm-one as its data-manager");
        // A compliance officer's signature presented as the researcher's: wrong role.
        DuaSignature byCarol = new DuaSignature(Role.RESEARCHER,
                org.medveil.governance.crypto.CertifiedKey.of(carol).sign(d.canonicalBytes()), carol.certificate());
        assertProblem(check(d, List.of(DuaSignature.sign(d, dm), byCarol)), "not a researcher");
        // The researcher signing in the data manager's place: refused at signing and at verification.
        assertThrows(PkiException.class, () -> DuaSignature.sign(d, otherDm));
        assertThrows(PkiException.class, () -> DuaSignature.sign(d, carol));
        DuaSignature bobAsDm = new DuaSignature(Role.DATA_MANAGER, DuaSignature.sign(d, bob).signature(), bob.certificate());
        assertProblem(check(d, List.of(bobAsDm, DuaSignature.sign(d, bob))), "not a data-manager");
        // The site's own list of data managers decides which data manager belongs to the site.
        assertProblem(DuaVerifier.verify(d, both(d), dm.caCertificate(), IN_PERIOD,
                org.medveil.governance.pki.RevocationList.none(dm.caCertificate()), List.of("dm-two")),
                "not a data manager of site hospital-a");
    }

    @Test
    void signaturesFromAForeignCaAreRefused() throws Exception {
        DataUseAgreement d = DataUseAgreement.read(write(today(-1), today(1)));
        // Same project and user names, but kits of another CA.
        DuaReport r = check(d, List.of(DuaSignature.sign(d, foreignDm), DuaSignature.sign(d, foreignBob)));
        assertProblem(r, "not issued by the project CA");
        assertEquals(2, r.problems().size());
    }

    @Test
    void strictYamlNamesTheBadField() throws Exception {
        Path f = write(today(-1), today(1));
        String ok = Files.readString(f);
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {ok.replace("maxGrade: 3", "maxGrade: 4"), "maxGrade"});
        cases.add(new String[] {ok.replace("purpose: research", "purpose: marketing"), "purpose"});
        cases.add(new String[] {ok.replace("purpose: research", "purpose: research\nsurprise: 1"), "surprise"});
        cases.add(new String[] {ok.replace("researcher: bob", "researcher: dm-one"), "different people"});
        cases.add(new String[] {ok.replaceAll("from: [0-9-]+", "from: 2099-01-01"), "period"});
        cases.add(new String[] {ok.replace("breachPlan:\n  contact: dpo@hospital-a.example\n", "breachPlan:\n"), "breachPlan.contact"});
        for (String[] c : cases) {
            Files.writeString(f, c[0]);
            ConfigException e = assertThrows(ConfigException.class, () -> DataUseAgreement.read(f), c[1]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }
}
