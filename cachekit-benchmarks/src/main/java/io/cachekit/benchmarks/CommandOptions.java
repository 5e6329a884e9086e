package io.cachekit.benchmarks;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The {@code --name value} command lines of the benchmark tools, checked against the names each one knows. */
public final class CommandOptions {
    private CommandOptions() {}

    /**
     * The options of {@code args} from index {@code from} on, by name without the dashes; a name given twice keeps
     * its last value.
     *
     * @throws IllegalArgumentException naming the argument that is not a {@code --option value} pair of a name in
     *     {@code known}
     */
    public static Map<String, String> parse(String[] args, int from, Set<String> known) {
        Map<String, String> options = new HashMap<>();
        for (int i = from; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("Expected --option value, got " + args[i]);
            }
            String name = args[i].substring(2);
            if (!known.contains(name)) {
                throw new IllegalArgumentException("Unknown option --" + name + "; valid: " + known);
            }
            options.put(name, args[i + 1]);
        }
        return options;
    }

    /**
     * The value of a required option.
     *
     * @throws IllegalArgumentException naming the option when it is missing or empty
     */
    public static String require(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("Missing --" + name);
        }
        return value;
    }
}
