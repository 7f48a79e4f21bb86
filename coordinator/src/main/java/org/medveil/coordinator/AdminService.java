package org.medveil.coordinator;

import io.grpc.stub.StreamObserver;
import org.medveil.proto.admin.AdminGrpc;
import org.medveil.proto.admin.ListSitesRequest;
import org.medveil.proto.admin.ListSitesResponse;
import org.medveil.proto.admin.WhoAmIRequest;
import org.medveil.proto.admin.WhoAmIResponse;

/** The user-facing API. Who may call what is decided by {@link AccessPolicy} before a call gets here. */
final class AdminService extends AdminGrpc.AdminImplBase {

    private final SiteRegistry registry;

    AdminService(SiteRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void listSites(ListSitesRequest request, StreamObserver<ListSitesResponse> out) {
        out.onNext(ListSitesResponse.newBuilder().addAllSites(registry.list()).build());
        out.onCompleted();
    }

    @Override
    public void whoAmI(WhoAmIRequest request, StreamObserver<WhoAmIResponse> out) {
        CallerInterceptor.Caller c = CallerInterceptor.CALLER.get();
        out.onNext(WhoAmIResponse.newBuilder().setName(c.identity().name()).setKind(c.identity().kind().id())
                .setRole(c.identity().role() == null ? "" : c.identity().role().id())
                .setProject(c.identity().project()).setCertificateFingerprint(c.fingerprint()).build());
        out.onCompleted();
    }
}
