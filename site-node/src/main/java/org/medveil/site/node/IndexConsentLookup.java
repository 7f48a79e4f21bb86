package org.medveil.site.node;

import org.medveil.governance.consent.ConsentRules;
import org.medveil.governance.consent.PatientPseudonym;
import org.medveil.governance.consent.Purpose;
import org.medveil.site.ingest.ConsentLookup;
import org.medveil.site.store.ConsentRegistry;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The pipeline's {@link ConsentLookup}: the site's {@link ConsentRegistry} (what {@code medveil
 * site consent import|withdraw} wrote) decided by governance {@link ConsentRules} (REQ-ACQ-3) at
 * that moment. A purpose is valid when the patient's consent for it permits use now.
 */
public final class IndexConsentLookup implements ConsentLookup {

    private final ConsentRegistry registry;
    private final ConsentRules rules;

    public IndexConsentLookup(ConsentRegistry registry, ConsentRules rules) {
        this.registry = Objects.requireNonNull(registry);
        this.rules = Objects.requireNonNull(rules);
    }

    @Override
    public Set<String> validPurposes(String patientKey, Instant at) {
        Set<String> out = new TreeSet<>();
        PatientPseudonym patient = new PatientPseudonym(patientKey);
        for (Purpose p : Purpose.values()) {
            registry.find(patient, p).ifPresent(e -> {
                if (rules.permits(e.record(), p, false, at).permitted()) {
                    out.add(p.id());
                }
            });
        }
        return out;
    }
}
