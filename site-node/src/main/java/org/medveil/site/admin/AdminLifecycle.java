package org.medveil.site.admin;

import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.audit.AuditSigner;
import org.medveil.governance.pki.Kit;
import org.medveil.governance.policy.PolicyOptions;
import org.medveil.site.config.SiteConfig;
import org.medveil.site.lifecycle.Archiver;
import org.medveil.site.lifecycle.DestructionService;
import org.medveil.site.store.ObjectStore;

import java.nio.file.Path;

/**
 * The life-cycle services the admin API drives: the archiver (archives under {@code archiveRoot})
 * and the destruction service (certificates signed with the site kit). Build it once per store
 * with {@link #of}; the same {@link PolicyOptions} as the admin API's policy.
 */
public record AdminLifecycle(Archiver archiver, Path archiveRoot, DestructionService destruction) {

    public static AdminLifecycle of(Kit site, ObjectStore store, AuditLog audit, Path archiveRoot, PolicyOptions options) {
        return new AdminLifecycle(new Archiver(store, audit, archiveRoot), archiveRoot,
                new DestructionService(store, audit, AuditSigner.of(site), site.identity().name(), options));
    }

    /**
     * Where a site keeps its archives when {@code site.yaml} names no folder: {@code archive/}
     * beside the data folder (not inside it: a restore needs an empty data folder, and archives
     * must outlive it).
     */
    public static Path defaultArchiveRoot(SiteConfig config) {
        return config.store().dataFolder().toAbsolutePath().normalize().resolveSibling("archive");
    }

    /** Where the site node keeps its audit log: {@code DATA/audit} (as {@code SiteNode} opens it). */
    public static Path auditFolder(SiteConfig config) {
        return config.store().dataFolder().resolve("audit");
    }
}
