package io.cachekit.benchmarks.run;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The command line of {@link RoundRunner}: {@code --name value} pairs, checked against the names it knows. */
final class RunnerArguments {
    private static final Set<String> OPTIONS = Set.of(
            "group",
            "out",
            "rounds",
            "threads",
            "forks",
            "warmup-iterations",
            "warmup-time",
            "iterations",
            "time",
            "only",
            "log-dir",
            "command",
            "revision",
            "code-tree",
            "note",
            "load-before",
            "lock-wait-seconds",
            "before-each-run");

    private RunnerArguments() {}

    /**
     * The options of {@code args}, by name without the dashes.
     *
     * @throws IllegalArgumentException naming the argument that is not a known {@code --option value} pair
     */
    static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("Expected --option value, got " + args[i]);
            }
            String name = args[i].substring(2);
            if (!OPTIONS.contains(name)) {
                throw new IllegalArgumentException("Unknown option --" + name + "; valid: " + OPTIONS);
            }
            options.put(name, args[i + 1]);
        }
        return options;
    }

    /**
     * A comma-separated list of thread counts, without repeats, in the order given.
     *
     * @throws IllegalArgumentException when a count is not a positive number or the list is empty
     */
    static List<Integer> parseThreads(String list) {
        List<Integer> threads = new ArrayList<>();
        for (String part : list.split(",")) {
            int t = Integer.parseInt(part.trim());
            if (t < 1) {
                throw new IllegalArgumentException("Thread counts are positive, got " + list);
            }
            if (!threads.contains(t)) {
                threads.add(t);
            }
        }
        if (threads.isEmpty()) {
            throw new IllegalArgumentException("No thread count in " + list);
        }
        return List.copyOf(threads);
    }

    /**
     * The value of a required option.
     *
     * @throws IllegalArgumentException naming the option when it is missing or empty
     */
    static String require(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("Missing --" + name);
        }
        return value;
    }
}
