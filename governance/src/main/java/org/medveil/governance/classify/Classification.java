package org.medveil.governance.classify;

import java.util.List;

/** A Table 1 category with the reasons that led to it, for the provenance record and manifests. */
public record Classification(ImagingCategory category, List<String> reasons) {
    public Classification {
        reasons = List.copyOf(reasons);
    }
}
