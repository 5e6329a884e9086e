package io.cachekit.benchmarks.run;

import io.cachekit.benchmarks.CommandOptions;
import java.util.ArrayList;
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
        return CommandOptions.parse(args, 0, OPTIONS);
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
}
