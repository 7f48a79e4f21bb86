package org.medveil.site.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The minimum-necessary rule of a site (REQ-ACQ-1): which modalities, body parts and SOP classes
 * it accepts, and which series descriptions it refuses or requires. Empty sets accept any value.
 * Refusal reasons name only the rule and the coded value that failed it (a modality, body part or
 * SOP class UID, none of which is PHI), never a description's text.
 *
 * @param refuseWithoutConsent refuse an object whose patient has no consent record at all
 *                             (otherwise it is stored but never selectable, REQ-ACQ-3)
 */
public record IngestProfile(Set<String> modalities, Set<String> bodyParts, Set<String> sopClasses,
                            List<String> refuseSeriesDescriptions, List<String> acceptSeriesDescriptions,
                            boolean refuseWithoutConsent) {

    public IngestProfile {
        modalities = upper(modalities);
        bodyParts = upper(bodyParts);
        sopClasses = Set.copyOf(sopClasses);
        refuseSeriesDescriptions = lower(refuseSeriesDescriptions);
        acceptSeriesDescriptions = lower(acceptSeriesDescriptions);
    }

    /** Accepts everything (no rule configured). */
    public static final IngestProfile ANY = new IngestProfile(Set.of(), Set.of(), Set.of(), List.of(), List.of(), false);

    /** Why an object with these attributes is refused, or empty when the profile accepts it. */
    public Optional<String> refusal(String modality, String bodyPart, String sopClass, String seriesDescription) {
        String m = norm(modality);
        if (!modalities.isEmpty() && !modalities.contains(m)) {
            return Optional.of("modality " + (m.isEmpty() ? "(none)" : m) + " not in the ingest profile");
        }
        String b = norm(bodyPart);
        if (!bodyParts.isEmpty() && !bodyParts.contains(b)) {
            return Optional.of("body part " + (b.isEmpty() ? "(none)" : b) + " not in the ingest profile");
        }
        String c = sopClass == null ? "" : sopClass.strip();
        if (!sopClasses.isEmpty() && !sopClasses.contains(c)) {
            return Optional.of("SOP class " + (c.isEmpty() ? "(none)" : c) + " not in the ingest profile");
        }
        String d = seriesDescription == null ? "" : seriesDescription.toLowerCase(Locale.ROOT);
        for (String word : refuseSeriesDescriptions) {
            if (d.contains(word)) {
                // the keyword comes from the config, not from the object: safe to name
                return Optional.of("series description matches refused keyword '" + word + "'");
            }
        }
        if (!acceptSeriesDescriptions.isEmpty() && acceptSeriesDescriptions.stream().noneMatch(d::contains)) {
            return Optional.of("series description matches none of the accepted keywords");
        }
        return Optional.empty();
    }

    private static String norm(String s) {
        return s == null ? "" : s.strip().toUpperCase(Locale.ROOT);
    }

    private static Set<String> upper(Set<String> s) {
        return s.stream().map(IngestProfile::norm).collect(Collectors.toUnmodifiableSet());
    }

    private static List<String> lower(List<String> l) {
        return l.stream().map(x -> x.strip().toLowerCase(Locale.ROOT)).filter(x -> !x.isEmpty()).toList();
    }
}
