package org.medveil.governance.policy;

import org.medveil.governance.grade.SensitivityLevel;
import org.medveil.governance.pki.Role;

import java.util.stream.Collectors;

/**
 * Renders the {@link PolicyTable} as a Markdown role × operation × grade matrix for the README,
 * so the documented policy is the enforced one (a test fails when they differ).
 */
public final class PolicyMatrix {

    private PolicyMatrix() {
    }

    public static String markdown() {
        StringBuilder s = new StringBuilder();
        s.append("| operation | grade |");
        for (Role r : Role.values()) {
            s.append(' ').append(r.id()).append(" |");
        }
        s.append("\n|---|---|");
        s.append("---|".repeat(Role.values().length)).append('\n');
        for (Operation op : Operation.values()) {
            if (op.scope() == Operation.Scope.SITE) {
                row(s, op, null);
            } else {
                for (SensitivityLevel g : SensitivityLevel.values()) {
                    row(s, op, g);
                }
            }
        }
        s.append("\nConditions: ");
        s.append(java.util.Arrays.stream(Condition.values())
                .map(c -> "*" + c.id() + "* = " + c.text()).collect(Collectors.joining("; ")));
        s.append(".\n");
        return s.toString();
    }

    private static void row(StringBuilder s, Operation op, SensitivityLevel g) {
        s.append("| `").append(op.id()).append("` | ").append(g == null ? "—" : g.level()).append(" |");
        for (Role r : Role.values()) {
            s.append(' ').append(cell(PolicyTable.entry(r, op), g)).append(" |");
        }
        s.append('\n');
    }

    /** "yes", "no", or "if …" with the conditions. */
    static String cell(PolicyTable.Entry e, SensitivityLevel g) {
        if (!e.granted() || (g != null && !e.grades().contains(g))) {
            return "no";
        }
        var conditions = e.conditions().stream()
                .filter(c -> c != Condition.BIOMETRIC_DEIDENTIFIED || g == null || g.compareTo(SensitivityLevel.L3) >= 0)
                .map(Condition::id).toList();
        return conditions.isEmpty() ? "yes" : "if " + String.join(", ", conditions);
    }
}
