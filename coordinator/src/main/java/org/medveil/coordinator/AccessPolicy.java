package org.medveil.coordinator;

import org.medveil.governance.pki.Identity;
import org.medveil.governance.pki.Kind;
import org.medveil.governance.pki.Role;
import org.medveil.proto.admin.AdminGrpc;
import org.medveil.proto.federation.FederationGrpc;
import org.medveil.proto.transfer.TransferGrpc;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Which certificate may call which RPC (REQ-USE-3, REQ-TX-3). Default deny: a method missing
 * from this table cannot be called by anyone, so a new RPC is closed until someone decides who
 * may use it.
 */
public final class AccessPolicy {

    /** A rule: the caller's kind must be {@code kind}; for users, the role must be in {@code roles}. */
    public record Rule(Kind kind, Set<Role> roles) {
        boolean admits(Identity id) {
            return id.kind() == kind && (kind != Kind.USER || roles.contains(id.role()));
        }

        String describe() {
            return kind == Kind.USER ? "a user certificate with role " + roles : "a " + kind.id() + " certificate";
        }
    }

    private static final Set<Role> ANY_ROLE = EnumSet.allOf(Role.class);
    private static final Set<Role> JOB_READERS = EnumSet.of(Role.PROJECT_ADMIN, Role.RESEARCHER, Role.COMPLIANCE_OFFICER);

    private final Map<String, Rule> rules = Map.ofEntries(
            Map.entry(FederationGrpc.getSessionMethod().getFullMethodName(), new Rule(Kind.SITE, Set.of())),
            Map.entry(TransferGrpc.getDownloadMethod().getFullMethodName(), new Rule(Kind.SITE, Set.of())),
            Map.entry(TransferGrpc.getUploadMethod().getFullMethodName(), new Rule(Kind.SITE, Set.of())),
            Map.entry(TransferGrpc.getUploadStatusMethod().getFullMethodName(), new Rule(Kind.SITE, Set.of())),
            Map.entry(AdminGrpc.getListSitesMethod().getFullMethodName(), new Rule(Kind.USER, ANY_ROLE)),
            Map.entry(AdminGrpc.getWhoAmIMethod().getFullMethodName(), new Rule(Kind.USER, ANY_ROLE)),
            // the web console decides per page what a role sees (web.ConsoleAccess)
            Map.entry(AdminGrpc.getOpenConsoleMethod().getFullMethodName(), new Rule(Kind.USER, ANY_ROLE)),
            // Jobs: researchers submit; everyone who answers for a job may follow it; a compliance
            // officer reads results (they carry the manifests), aborting is checked per job as well.
            Map.entry(AdminGrpc.getSubmitJobMethod().getFullMethodName(), new Rule(Kind.USER, Set.of(Role.RESEARCHER))),
            Map.entry(AdminGrpc.getListJobsMethod().getFullMethodName(), new Rule(Kind.USER, JOB_READERS)),
            Map.entry(AdminGrpc.getGetJobMethod().getFullMethodName(), new Rule(Kind.USER, JOB_READERS)),
            Map.entry(AdminGrpc.getWatchJobMethod().getFullMethodName(), new Rule(Kind.USER, JOB_READERS)),
            Map.entry(AdminGrpc.getDownloadResultMethod().getFullMethodName(), new Rule(Kind.USER, JOB_READERS)),
            Map.entry(AdminGrpc.getAbortJobMethod().getFullMethodName(), new Rule(Kind.USER, Set.of(Role.PROJECT_ADMIN, Role.RESEARCHER))));

    /** Null when allowed; otherwise why not, fit for a log line and the caller's error. */
    public String denial(String fullMethodName, Identity caller) {
        Rule rule = rules.get(fullMethodName);
        if (rule == null) {
            return "method " + fullMethodName + " is not open to anyone";
        }
        if (!rule.admits(caller)) {
            return "method " + fullMethodName + " requires " + rule.describe() + "; caller is " + caller.describe();
        }
        return null;
    }

    public Map<String, Rule> rules() {
        return rules;
    }
}
