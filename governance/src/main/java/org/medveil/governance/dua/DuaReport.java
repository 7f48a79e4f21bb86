package org.medveil.governance.dua;

import java.util.List;

/** What {@link DuaVerifier} found: {@code problems} empty means the agreement is in force on the date checked. */
public record DuaReport(String duaId, List<String> problems, List<String> warnings) {

    public boolean ok() {
        return problems.isEmpty();
    }
}
