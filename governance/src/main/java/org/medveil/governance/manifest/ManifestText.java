package org.medveil.governance.manifest;

/** A round manifest as people read it ({@code medveil manifest show}). */
public final class ManifestText {

    private ManifestText() {
    }

    public static String render(RoundManifest m) {
        StringBuilder b = new StringBuilder();
        b.append("Round ").append(m.round()).append(" of job ").append(m.jobId()).append(" (project ")
                .append(m.project()).append(")\n");
        b.append("  job digest        ").append(m.jobDigest()).append('\n');
        b.append("  ran               ").append(m.startedAt()).append(" to ").append(m.finishedAt()).append('\n');
        b.append("  HE parameters     ").append(m.heParameters()).append('\n');
        b.append("  decryption quorum ").append(String.join(", ", m.decryptionQuorum())).append('\n');
        b.append("  model in          ").append(m.modelDigestIn()).append('\n');
        b.append("  model out         ").append(m.modelDigestOut()).append('\n');
        b.append("  aggregate         ").append(m.aggregateDigest()).append('\n');
        b.append("  previous manifest ").append(m.previousManifestDigest()).append('\n');
        b.append("  sites (").append(m.sites().size()).append("):\n");
        for (RoundManifest.SiteEntry s : m.sites()) {
            b.append("    ").append(s.site()).append("  DUA ").append(s.duaId()).append("  certificate sha256:")
                    .append(s.certificateFingerprint()).append('\n');
            for (RoundManifest.GradeCount c : s.data().counts()) {
                b.append("      ").append(c.count()).append(" x ").append(c.category()).append(" grade ")
                        .append(c.grade()).append('\n');
            }
            b.append("      de-id profile ").append(s.data().deidProfileDigest()).append('\n');
            b.append("      dataset root  ").append(s.data().datasetMerkleRoot()).append('\n');
            b.append("      contribution  ").append(s.contribution().digest()).append('\n');
        }
        b.append("  metrics:").append(m.metrics().isEmpty() ? " (none)\n" : "\n");
        m.metrics().forEach((k, v) -> b.append("    ").append(k).append(" = ").append(v).append('\n'));
        b.append("  manifest sha256   ").append(m.digest()).append('\n');
        return b.toString();
    }
}
