package org.medveil.he.verify;

import org.medveil.he.rlwe.Ciphertext;
import org.medveil.he.rlwe.HeContext;

/**
 * A contribution record with its site's signature over {@link ContributionRecord#canonicalBytes()}
 * and the credential (e.g. DER certificate) the verifier needs; the credential may be empty when
 * the verifier knows the site's key by other means.
 */
public record SignedContribution(ContributionRecord record, byte[] signature, byte[] credential) {

    public SignedContribution {
        if (record == null || signature == null || credential == null) {
            throw new IllegalArgumentException("a signed contribution needs its record, signature and credential");
        }
        signature = signature.clone();
        credential = credential.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public byte[] credential() {
        return credential.clone();
    }

    /** Site side: digests the ciphertext ({@link CiphertextTree}) and signs its record for this job and round. */
    public static SignedContribution of(HeContext context, String jobId, long round, Ciphertext ct,
                                        ContributionSigner signer) {
        return of(context, jobId, round, ct, null, signer);
    }

    /** Site side, for a job with a sketch key: the record also carries the ciphertext's secret sketch. */
    public static SignedContribution of(HeContext context, String jobId, long round, Ciphertext ct, LinearSketch sketch,
                                        ContributionSigner signer) {
        byte[] root = CiphertextTree.of(context, ct).root();
        long[] s = sketch == null ? new long[0] : sketch.of(jobId, round, ct.chunk(), ct);
        return sign(new ContributionRecord(jobId, round, ct.chunk(), signer.site(), root, s), signer);
    }

    /** Signs the record with the site's key; the signer must speak for the record's site. */
    public static SignedContribution sign(ContributionRecord record, ContributionSigner signer) {
        if (!signer.site().equals(record.site())) {
            throw new IllegalArgumentException("signer of site " + signer.site() + " cannot sign a contribution of site "
                    + record.site());
        }
        return new SignedContribution(record, signer.sign(record.canonicalBytes()), signer.credential());
    }
}
