package org.medveil.governance.dua;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.medveil.governance.crypto.Signatures;
import org.medveil.governance.pki.Certificates;
import org.medveil.governance.pki.Identity;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.PkiException;
import org.medveil.governance.pki.RevocationList;
import org.medveil.governance.pki.Role;

/**
 * Decides whether an agreement is in force at an instant (REQ-TX-1): one signature by the data
 * manager and one by the researcher, each verifying over the canonical bytes, each certificate
 * issued by the project CA, valid at that instant, not revoked, a user certificate of the project
 * the agreement names with the role it signed as and the name the agreement gives that party;
 * and the instant's date (UTC) within the period.
 *
 * <p>Limit: user certificates name a role but no site, so that the data manager belongs to the
 * site the agreement names cannot be read from the PKI. The agreement names the data manager;
 * the site node must check that name against its own list of data managers (pass it as
 * {@code siteDataManagers}); without that list the report carries a warning saying so.
 */
public final class DuaVerifier {

    private DuaVerifier() {
    }

    public static DuaReport verify(DataUseAgreement dua, Collection<DuaSignature> signatures, X509Certificate ca,
                                   Instant at) {
        return verify(dua, signatures, ca, at, RevocationList.none(ca), null);
    }

    /**
     * @param crl              the project CRL (revoked signers are refused)
     * @param siteDataManagers the user names the site recognises as its data managers, or null when unknown
     */
    public static DuaReport verify(DataUseAgreement dua, Collection<DuaSignature> signatures, X509Certificate ca,
                                   Instant at, RevocationList crl, Collection<String> siteDataManagers) {
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        byte[] bytes = dua.canonicalBytes();
        for (Role role : List.of(Role.DATA_MANAGER, Role.RESEARCHER)) {
            List<DuaSignature> of = signatures.stream().filter(s -> s.role() == role).toList();
            String party = role == Role.DATA_MANAGER ? dua.parties().dataManager() : dua.parties().researcher();
            if (of.isEmpty()) {
                problems.add("the " + role + " signature (by " + party + ") is missing; both parties sign the agreement");
                continue;
            }
            if (of.size() > 1) {
                problems.add("more than one " + role + " signature; give exactly one");
                continue;
            }
            String p = signerProblem(of.get(0), role, party, dua, bytes, ca, at, crl);
            if (p != null) {
                problems.add("the " + role + " signature " + p);
            }
        }
        LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
        if (day.isBefore(dua.from())) {
            problems.add("the agreement is not in force yet on " + day + ": its period starts " + dua.from());
        } else if (day.isAfter(dua.to())) {
            problems.add("the agreement expired: its period ended " + dua.to() + ", checked on " + day
                    + "; renew it and have both parties sign again");
        }
        if (siteDataManagers == null) {
            warnings.add("user certificates carry no site: that " + dua.parties().dataManager() + " is a data manager of "
                    + dua.parties().site() + " is taken from the agreement; the site node checks it against its own list");
        } else if (!siteDataManagers.contains(dua.parties().dataManager())) {
            problems.add(dua.parties().dataManager() + " is not a data manager of site " + dua.parties().site()
                    + " by the site's own list");
        }
        return new DuaReport(dua.id(), List.copyOf(problems), List.copyOf(warnings));
    }

    private static String signerProblem(DuaSignature s, Role role, String party, DataUseAgreement dua, byte[] bytes,
                                        X509Certificate ca, Instant at, RevocationList crl) {
        String issuer = Certificates.issuerProblem(s.certificate(), ca, at);
        if (issuer != null) {
            return issuer;
        }
        if (crl.isRevoked(s.certificate())) {
            return "is by certificate sha256:" + s.fingerprint() + ", which is revoked";
        }
        Identity id;
        try {
            id = Certificates.identity(s.certificate());
        } catch (PkiException e) {
            return "is by a certificate without a MedVeil identity (sha256:" + s.fingerprint() + ")";
        }
        if (id.kind() != Kind.USER || id.role() != role) {
            return "is by " + id.describe() + ", not a " + role;
        }
        if (!id.project().equals(dua.project())) {
            return "is by a user of project " + id.project() + ", not " + dua.project();
        }
        if (!id.name().equals(party)) {
            return "is by " + id.describe() + ", but the agreement names " + party + " as its " + role;
        }
        if (!Signatures.verify(s.certificate().getPublicKey(), bytes, s.signature())) {
            return "by " + id.describe() + " does not verify: the agreement was changed after signing, or the"
                    + " signature belongs to another document";
        }
        return null;
    }
}
