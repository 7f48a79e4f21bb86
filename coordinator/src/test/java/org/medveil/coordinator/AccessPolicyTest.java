package org.medveil.coordinator;

import io.grpc.MethodDescriptor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.medveil.governance.pki.Identity;
import org.medveil.governance.pki.Role;
import org.medveil.proto.admin.AdminGrpc;
import org.medveil.proto.federation.FederationGrpc;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("REQ-USE-3")
class AccessPolicyTest {

    private final AccessPolicy policy = new AccessPolicy();
    private final Identity site = Identity.site("demo", "hospital-a");

    private static List<String> allMethods() {
        List<String> names = new ArrayList<>();
        for (MethodDescriptor<?, ?> m : FederationGrpc.getServiceDescriptor().getMethods()) {
            names.add(m.getFullMethodName());
        }
        for (MethodDescriptor<?, ?> m : AdminGrpc.getServiceDescriptor().getMethods()) {
            names.add(m.getFullMethodName());
        }
        return names;
    }

    @Test
    void everyRpcHasAnExplicitRule() {
        for (String m : allMethods()) {
            assertTrue(policy.rules().containsKey(m), "no access rule for " + m + ": decide who may call it");
        }
    }

    @Test
    void onlySitesMayOpenASession() {
        String session = FederationGrpc.getSessionMethod().getFullMethodName();
        assertNull(policy.denial(session, site));
        for (Role r : Role.values()) {
            assertNotNull(policy.denial(session, Identity.user("demo", "u", r)), r.id());
        }
    }

    @Test
    void sitesMayCallNoAdminRpcAndEveryRoleMayListSites() {
        for (MethodDescriptor<?, ?> m : AdminGrpc.getServiceDescriptor().getMethods()) {
            assertNotNull(policy.denial(m.getFullMethodName(), site), m.getFullMethodName());
        }
        for (Role r : Role.values()) {
            assertNull(policy.denial(AdminGrpc.getListSitesMethod().getFullMethodName(), Identity.user("demo", "u", r)));
        }
    }

    @Test
    void unknownMethodsAreClosedToEveryone() {
        String denial = policy.denial("medveil.v1.Admin/DropEverything", Identity.user("demo", "a", Role.PROJECT_ADMIN));
        assertTrue(denial.contains("not open to anyone"), denial);
    }
}
