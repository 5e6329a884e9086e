package io.cachekit.benchmarks.run;

import io.cachekit.benchmarks.report.Goal;
import io.cachekit.benchmarks.report.ReportRow;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The comparisons of one benchmark group, read from the {@link ReportRow} annotations of the JMH benchmarks in
 * package {@code io.cachekit.benchmarks.GROUP}: what the runner runs and what the page shows, in one order.
 *
 * @param group the group (package) name
 * @param blocks the comparisons, in page order
 */
public record GroupPlan(String group, List<Block> blocks) {

    /** The package prefix of a group's benchmarks. */
    public static String packageOf(String group) {
        return "io.cachekit.benchmarks." + group + ".";
    }

    /**
     * A comparison: a row and the rows it is compared with, run in the same rounds; or a single row that is
     * compared with nothing.
     *
     * @param type the benchmark class
     * @param subject the method of the row that is compared
     * @param baselines the methods it is compared with, in the annotation's order
     * @param fixedThreads the thread counts of this comparison, or empty for the run's thread list
     */
    public record Block(Class<?> type, String subject, List<String> baselines, int[] fixedThreads, int order) {

        /** A stable id: {@code Class.method} of the subject. */
        public String id() {
            return type.getSimpleName() + "." + subject;
        }

        /** Every row of the block, subject first. */
        public List<String> rows() {
            List<String> rows = new ArrayList<>();
            rows.add(subject);
            rows.addAll(baselines);
            return rows;
        }

        /** The fully qualified JMH benchmark name of a row. */
        public String benchmark(String method) {
            return type.getName() + "." + method;
        }

        /** The thread counts to run: the fixed ones, or the given list. */
        public List<Integer> threads(List<Integer> list) {
            if (fixedThreads.length == 0) {
                return list;
            }
            List<Integer> fixed = new ArrayList<>();
            for (int t : fixedThreads) {
                fixed.add(t);
            }
            return fixed;
        }

        /** The annotation of a row of this block, if it has one. */
        public Optional<ReportRow> annotation(String method) {
            return GroupPlan.annotation(type, method);
        }

        /** The goals of the subject against {@code baseline}. */
        public List<Goal> goals(String baseline) {
            List<Goal> goals = new ArrayList<>();
            annotation(subject).ifPresent(a -> {
                for (Goal goal : a.goals()) {
                    if (goal.against().isEmpty() || goal.against().equals(baseline)) {
                        goals.add(goal);
                    }
                }
            });
            return goals;
        }

        /** Whether this block is an A/A control ({@link ReportRow#control()}). */
        public boolean control() {
            return annotation(subject).map(ReportRow::control).orElse(false);
        }

        /** The label of a row: its annotation's, or its method name. */
        public String label(String method) {
            return annotation(method).map(ReportRow::label).orElse("`" + method + "`");
        }
    }

    /** The plan of {@code group} from the benchmarks compiled into this jar. */
    public static GroupPlan of(String group) {
        Map<Class<?>, Set<String>> methods = new LinkedHashMap<>();
        for (String name : benchmarkNames(group)) {
            int dot = name.lastIndexOf('.');
            Class<?> type = load(name.substring(0, dot));
            methods.computeIfAbsent(type, t -> new TreeSet<>()).add(name.substring(dot + 1));
        }
        List<Block> blocks = new ArrayList<>();
        for (Map.Entry<Class<?>, Set<String>> entry : methods.entrySet()) {
            Class<?> type = entry.getKey();
            Set<String> compared = new LinkedHashSet<>();
            for (String method : entry.getValue()) {
                ReportRow row = annotation(type, method).orElse(null);
                if (row == null || row.compareTo().length == 0) {
                    continue;
                }
                List<String> baselines = List.of(row.compareTo());
                for (String baseline : baselines) {
                    if (!entry.getValue().contains(baseline)) {
                        throw new IllegalStateException(type.getName() + "." + method + " is compared with " + baseline
                                + ", which is not a benchmark of the same class");
                    }
                }
                if (row.control() && (baselines.size() != 1 || row.goals().length > 0)) {
                    throw new IllegalStateException(type.getName() + "." + method
                            + " is a control: it needs exactly one row to compare with and no goals");
                }
                for (Goal goal : row.goals()) {
                    if (!goal.against().isEmpty() && !baselines.contains(goal.against())) {
                        throw new IllegalStateException(type.getName() + "." + method + " has a goal against "
                                + goal.against() + ", which it is not compared with");
                    }
                    if (Double.isNaN(goal.atLeast()) == Double.isNaN(goal.atMost())) {
                        throw new IllegalStateException(type.getName() + "." + method
                                + " has a goal with neither or both of atLeast and atMost");
                    }
                }
                compared.add(method);
                compared.addAll(baselines);
                blocks.add(new Block(type, method, baselines, row.threads(), row.order()));
            }
            for (String method : entry.getValue()) {
                if (!compared.contains(method)) {
                    ReportRow row = annotation(type, method).orElse(null);
                    blocks.add(new Block(
                            type,
                            method,
                            List.of(),
                            row == null ? new int[0] : row.threads(),
                            row == null ? 1000 : row.order()));
                }
            }
        }
        blocks.sort(Comparator.comparingInt(Block::order)
                .thenComparing(b -> b.type().getName())
                .thenComparing(Block::subject));
        return new GroupPlan(group, List.copyOf(blocks));
    }

    /** The block with {@code id}, if this plan has it. */
    public Optional<Block> block(String id) {
        return blocks.stream().filter(b -> b.id().equals(id)).findFirst();
    }

    /** The groups that have benchmarks in this jar. */
    public static Set<String> groups() {
        Set<String> groups = new TreeSet<>();
        for (BenchmarkListEntry entry : entries()) {
            String name = entry.getUsername();
            if (name.startsWith("io.cachekit.benchmarks.")) {
                String rest = name.substring("io.cachekit.benchmarks.".length());
                int dot = rest.indexOf('.');
                if (dot > 0) {
                    groups.add(rest.substring(0, dot));
                }
            }
        }
        return groups;
    }

    private static List<String> benchmarkNames(String group) {
        List<String> names = new ArrayList<>();
        for (BenchmarkListEntry entry : entries()) {
            if (entry.getUsername().startsWith(packageOf(group))) {
                names.add(entry.getUsername());
            }
        }
        return names;
    }

    private static Set<BenchmarkListEntry> entries() {
        return BenchmarkList.defaultList()
                .getAll(OutputFormatFactory.createFormatInstance(System.err, VerboseMode.SILENT), List.of());
    }

    static Optional<ReportRow> annotation(Class<?> type, String method) {
        for (Method m : type.getMethods()) {
            if (m.getName().equals(method) && m.isAnnotationPresent(ReportRow.class)) {
                return Optional.of(m.getAnnotation(ReportRow.class));
            }
        }
        return Optional.empty();
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, GroupPlan.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Benchmark class " + name + " is listed by JMH but cannot be loaded", e);
        }
    }
}
