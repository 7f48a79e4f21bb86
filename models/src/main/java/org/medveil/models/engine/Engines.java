package org.medveil.models.engine;

import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The training engines this build offers, found with {@link ServiceLoader}. DL4J is always there
 * and is the default; libtorch comes with the {@code models-torch} module.
 */
public final class Engines {
    /** The engine used when a job or command names none. */
    public static final String DEFAULT = "dl4j";

    private Engines() {}

    /** Engine names of this build, sorted. */
    public static List<String> names() {
        return List.copyOf(all().keySet());
    }

    /** The engine {@code name}; an error names the engines this build has. */
    public static TrainingEngine named(String name) {
        String n = name == null || name.isBlank() ? DEFAULT : name.strip();
        TrainingEngine e = all().get(n);
        if (e == null) {
            throw new EngineException("training engine '" + n + "' is not in this build; it has " + names()
                    + (n.equals("torch") ? " (the libtorch engine is left out of builds made with -Dno-torch)" : ""));
        }
        return e;
    }

    /** The engine {@code name}, checked to run on this machine. */
    public static TrainingEngine usable(String name) {
        TrainingEngine e = named(name);
        e.unavailableReason().ifPresent(reason -> {
            throw new EngineException("training engine '" + e.name() + "' cannot run here: " + reason);
        });
        return e;
    }

    private static Map<String, TrainingEngine> all() {
        Map<String, TrainingEngine> m = new TreeMap<>();
        for (TrainingEngine e : ServiceLoader.load(TrainingEngine.class, Engines.class.getClassLoader())) {
            m.putIfAbsent(e.name(), e);
        }
        return m;
    }
}
