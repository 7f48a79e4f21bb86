package org.medveil.site;

import org.medveil.governance.pki.PkiException;

/**
 * This kit's certificate can no longer be used (revoked, expired, replaced by a renewal): the
 * site node does not start, and restarting it without a new kit cannot help.
 */
public final class KitRefusedException extends PkiException {
    public KitRefusedException(String message) {
        super(message);
    }
}
