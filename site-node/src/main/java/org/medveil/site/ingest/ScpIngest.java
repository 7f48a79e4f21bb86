package org.medveil.site.ingest;

import org.medveil.dicom.DataSet;
import org.medveil.dicom.Tag;
import org.medveil.dicom.VR;
import org.medveil.dicom.io.DicomWriter;
import org.medveil.dicom.net.DirectoryStore;
import org.medveil.dicom.net.ReceivedObject;
import org.medveil.dicom.net.ScpConfig;
import org.medveil.dicom.net.StoreHandler;
import org.medveil.site.config.SiteConfig;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Objects;

/**
 * The C-STORE SCP's handler: each received object goes through the {@link IngestPipeline}. The
 * SCP answers success only after {@link #store} returned, i.e. after the sink made the object
 * durable; a refusal becomes a failure status with the PHI-free reason as Error Comment, so the
 * sender keeps its copy; a failing sink throws and the SCP answers a failure too.
 */
public final class ScpIngest implements StoreHandler {
    /** Status for an object outside the ingest profile or without the required consent (Refused range). */
    public static final int REFUSED_BY_POLICY = 0xA771;
    /** Status for an object the de-identification profile refuses. */
    public static final int REFUSED_BY_DEID = 0xA772;
    /** Status for an object that cannot be parsed ("Cannot understand"). */
    public static final int CANNOT_UNDERSTAND = 0xC000;

    private final IngestPipeline pipeline;
    private final Clock clock;

    public ScpIngest(IngestPipeline pipeline) {
        this(pipeline, Clock.systemUTC());
    }

    public ScpIngest(IngestPipeline pipeline, Clock clock) {
        this.pipeline = Objects.requireNonNull(pipeline);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * SCP settings from site.yaml; {@code tls} is the site kit's server context, required when
     * {@code scp.tls} is true (client certificates are then required too).
     */
    public static ScpConfig scpConfig(SiteConfig.ScpSettings s, SSLContext tls) {
        ScpConfig c = ScpConfig.of(s.aeTitle(), s.port()).withBindAddress(s.bindAddress())
                .withAllowedCallingAes(s.allowedCallingAes()).withAllowedHosts(s.allowedHosts());
        if (s.tls()) {
            if (tls == null) {
                throw new IllegalArgumentException("scp.tls is true in site.yaml but no TLS context from the site kit was given");
            }
            c = c.withTls(tls, true);
        }
        return c;
    }

    @Override
    public void store(ReceivedObject o) throws IOException, Refused {
        byte[] part10 = part10(o);
        IngestOutcome outcome = pipeline.ingest(part10, Source.scp(o.callingAe(), o.remoteHost(), clock.instant()));
        if (outcome instanceof IngestOutcome.Refused r) {
            int status = switch (r.kind()) {
                case NOT_DICOM -> CANNOT_UNDERSTAND;
                case DUPLICATE_DIFFERENT -> DirectoryStore.DUPLICATE_DIFFERENT_CONTENT;
                case DEID_REFUSED -> REFUSED_BY_DEID;
                case OUT_OF_PROFILE, NO_CONSENT -> REFUSED_BY_POLICY;
            };
            throw new Refused(status, r.reason()); // the SCP cuts it to 64 characters for the Error Comment
        }
    }

    /** The object as a Part 10 file: a meta header naming its class, instance, syntax and sender, then the data set as received. */
    static byte[] part10(ReceivedObject o) throws IOException {
        DataSet meta = new DataSet();
        meta.putBytes(Tag.FileMetaInformationVersion, VR.OB, new byte[] {0, 1});
        meta.putString(Tag.MediaStorageSOPClassUID, VR.UI, o.sopClassUid());
        meta.putString(Tag.MediaStorageSOPInstanceUID, VR.UI, o.sopInstanceUid());
        meta.putString(Tag.TransferSyntaxUID, VR.UI, o.transferSyntax().uid());
        meta.putString(Tag.ImplementationClassUID, VR.UI, DicomWriter.IMPLEMENTATION_CLASS_UID);
        meta.putString(Tag.ImplementationVersionName, VR.SH, DicomWriter.IMPLEMENTATION_VERSION);
        meta.putString(Tag.SourceApplicationEntityTitle, VR.AE, o.callingAe());
        long size = Files.size(o.dataSetFile());
        if (size > Integer.MAX_VALUE - 4096) {
            throw new IOException("object of " + size + " bytes is too large for in-memory ingest");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) size + 1024);
        new DicomWriter().writeMetaOnly(meta, out);
        Files.copy(o.dataSetFile(), out);
        return out.toByteArray();
    }
}
