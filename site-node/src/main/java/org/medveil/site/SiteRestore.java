package org.medveil.site;

import org.medveil.governance.audit.AuditLog;
import org.medveil.governance.audit.AuditSigner;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.Kit;
import org.medveil.site.admin.AdminLifecycle;
import org.medveil.site.config.SiteConfig;
import org.medveil.site.lifecycle.Backups;
import org.medveil.site.store.Secret;
import org.medveil.site.store.SiteKeystore;

import java.nio.file.Path;
import java.util.Map;

/**
 * The offline restore of a whole backup set into a site whose data folder is empty (the daemon
 * is not running): opens the keystore named in site.yaml, restores and verifies, and records a
 * {@code restore} in the restored audit trail, signed with the site kit. Whoever holds the
 * keystore password is the trust anchor here; there is no admin API to ask.
 */
public final class SiteRestore {

    private SiteRestore() {
    }

    public static Backups.RestoreResult run(SiteConfig config, Kit kit, Path backupSet) {
        if (kit.identity().kind() != Kind.SITE) {
            throw new SiteNodeException(kit.dir() + " is not a site kit; a restore needs this site's kit", null);
        }
        SiteConfig.StoreSettings st = config.store();
        SiteKeystore ks = SiteKeystore.open(st.keystore(), Secret.parse(st.keystorePassword().toString()));
        Path auditDir = AdminLifecycle.auditFolder(config);
        Backups.RestoreResult r = Backups.restore(backupSet, st.dataFolder(), ks, auditDir);
        try (AuditLog log = AuditLog.open(auditDir, AuditSigner.of(kit))) {
            log.append("restore", kit.fingerprint(), Map.of("set", r.setId(),
                    "objects", Integer.toString(r.objects()),
                    "destroyedSinceBackup", Integer.toString(r.destroyedSinceBackup().size()),
                    "orphanKeys", Integer.toString(r.orphanKeys().size()),
                    "verified", Boolean.toString(r.verification().ok()),
                    "by", "offline restore by the keystore holder"));
        }
        return r;
    }
}
