package io.cachekit.benchmarks.report;

import java.lang.reflect.Method;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Renders {@code docs/benchmarks.md} from the recorded groups: the targets and whether they hold, then one
 * section per group with its machine, date, command and a table of scores and ratios.
 *
 * <p>Labels, baselines and targets come from the {@link ReportRow} annotations of the benchmark classes that
 * this class can load; a benchmark it cannot load is shown under its method name.
 */
public final class ReportPage {

    /** A group the project states targets for, in page order. */
    record KnownGroup(String name, String title, List<String> targets) {}

    static final List<KnownGroup> KNOWN_GROUPS = List.of(
            new KnownGroup(
                    "memory",
                    "In-memory hit",
                    List.of(
                            "Cachekit `Cache.get` hit >= 0.5 x raw Caffeine `getIfPresent`",
                            "Cachekit `@Cached` proxy hit faster than Spring `@Cacheable` on `CaffeineCacheManager`")),
            new KnownGroup(
                    "redis",
                    "Redis",
                    List.of("Cachekit on Redis >= 0.9 x raw Lettuce doing the same GET/SET on the same server")),
            new KnownGroup(
                    "postgres",
                    "PostgreSQL",
                    List.of("Cachekit on PostgreSQL >= 0.9 x raw pgjdbc prepared statements on the same table")));

    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final ClassLoader loader;

    /** A page whose labels and targets are read from the classes {@code loader} finds. */
    public ReportPage(ClassLoader loader) {
        this.loader = loader;
    }

    /** A ratio of one row's throughput to another's, with the range the two confidence intervals allow. */
    record Ratio(String baselineLabel, double value, double low, double high) {
        /** The ratio, then the range the confidence intervals allow unless JMH gave no error. */
        String range() {
            return low == value && high == value
                    ? fixed(value)
                    : fixed(value) + " [" + fixed(low) + ", " + fixed(high) + "]";
        }

        String text() {
            return range() + " × " + baselineLabel;
        }
    }

    /** One stated target and what the results say about it. */
    public record TargetCheck(String group, String target, String measured, Verdict verdict) {}

    /** Whether a target holds. */
    public enum Verdict {
        HOLDS("holds"),
        HOLDS_AT_MEAN("holds at the mean, not over the whole error range"),
        FAILS_AT_MEAN("does not hold at the mean; within the error range it might"),
        FAILS("does not hold"),
        NOT_MEASURED("not measured");

        final String words;

        Verdict(String words) {
            this.words = words;
        }

        /** Whether the mean ratio reached the target. */
        public boolean holdsAtMean() {
            return this == HOLDS || this == HOLDS_AT_MEAN;
        }
    }

    /** One table row: a result, its annotation if any, its ratios and its target check if it has a target. */
    record Row(JmhResult result, String label, List<Ratio> ratios, TargetCheck check) {}

    /** The target checks of every known group and of every recorded one, in page order. */
    public List<TargetCheck> checks(List<RecordedGroup> groups) {
        List<TargetCheck> checks = new ArrayList<>();
        for (String name : groupOrder(groups)) {
            Optional<RecordedGroup> recorded = find(groups, name);
            List<TargetCheck> found = new ArrayList<>();
            recorded.ifPresent(
                    g -> rows(g).stream().map(Row::check).filter(c -> c != null).forEach(found::add));
            if (found.isEmpty()) {
                String how = recorded.isPresent()
                        ? "no row of this group declares it with @ReportRow"
                        : "run `scripts/bench.sh " + name + "`";
                known(name).ifPresent(k -> k.targets()
                        .forEach(t -> found.add(new TargetCheck(name, t, how, Verdict.NOT_MEASURED))));
            }
            checks.addAll(found);
        }
        return checks;
    }

    /** The whole page. */
    public String render(List<RecordedGroup> groups) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append(
                "<!-- Written by scripts/bench.sh from the results in docs/benchmarks/; edits here are lost. -->\n\n");
        md.append("JMH runs of Cachekit beside the libraries it is measured by, in the same run and on the same\n")
                .append("machine. Each group is rerun with the command shown in its section; running one group\n")
                .append("keeps the other groups' last results.\n\n");
        md.append("Score: JMH's mean with the half-width of its 99.9% confidence interval (higher is better for\n")
                .append("ops/time). Ratio: the row's throughput divided by the named row's throughput from the same\n")
                .append("run; in brackets, the range that the two confidence intervals allow.\n\n");

        md.append("## Targets\n\n");
        md.append("| Group | Target | Measured | Verdict |\n");
        md.append("| --- | --- | --- | --- |\n");
        for (TargetCheck check : checks(groups)) {
            md.append("| ")
                    .append(check.group())
                    .append(" | ")
                    .append(check.target())
                    .append(" | ")
                    .append(check.measured())
                    .append(" | ")
                    .append(check.verdict() == Verdict.HOLDS ? "**holds**" : check.verdict().words)
                    .append(" |\n");
        }
        md.append('\n');

        for (String name : groupOrder(groups)) {
            String title = known(name).map(KnownGroup::title).orElse(name);
            md.append("## ").append(title).append(" (`").append(name).append("`)\n\n");
            Optional<RecordedGroup> recorded = find(groups, name);
            if (recorded.isEmpty()) {
                md.append("Not measured yet: `scripts/bench.sh ").append(name).append("`.\n\n");
                continue;
            }
            renderGroup(md, recorded.get());
        }
        return md.toString();
    }

    private void renderGroup(StringBuilder md, RecordedGroup group) {
        md.append("Recorded ")
                .append(DATE.format(group.date()))
                .append(" at revision `")
                .append(group.revision())
                .append("` by `")
                .append(group.command())
                .append("`, which ran:\n\n");
        md.append("    ").append(group.jmhCommand()).append("\n\n");
        MachineInfo m = group.machine();
        md.append("- Machine: ")
                .append(m.cpu())
                .append(", ")
                .append(m.cores())
                .append(" logical CPUs, ")
                .append(m.memory())
                .append(" memory; ")
                .append(m.os())
                .append('\n');
        group.results().stream().map(JmhResult::jdk).distinct().forEach(jdk -> md.append("- JDK: ")
                .append(jdk)
                .append('\n'));
        group.results().stream().map(JmhResult::settings).distinct().forEach(s -> md.append("- JMH: ")
                .append(s)
                .append('\n'));
        if (!group.loadBefore().isEmpty() || !group.loadAfter().isEmpty()) {
            md.append("- Load average (1, 5, 15 min): ")
                    .append(orUnknown(group.loadBefore()))
                    .append(" before the run, ")
                    .append(orUnknown(group.loadAfter()))
                    .append(" after it\n");
        }
        if (!group.note().isBlank()) {
            md.append("- Note: ").append(group.note().strip()).append('\n');
        }
        md.append('\n');
        md.append("| Benchmark | Score | Ratio |\n");
        md.append("| --- | ---: | --- |\n");
        for (Row row : rows(group)) {
            JmhResult r = row.result();
            md.append("| ")
                    .append(row.label())
                    .append(" | ")
                    .append(score(r))
                    .append(" | ")
                    .append(String.join(
                            "; ", row.ratios().stream().map(Ratio::text).toList()))
                    .append(" |\n");
        }
        md.append('\n');
    }

    private List<Row> rows(RecordedGroup group) {
        List<Row> rows = new ArrayList<>();
        for (JmhResult result : group.results()) {
            ReportRow annotation = annotation(result).orElse(null);
            String label = label(result, annotation);
            List<Ratio> ratios = new ArrayList<>();
            TargetCheck check = null;
            if (annotation != null) {
                Optional<Ratio> main = ratio(group, result, annotation.baseline());
                main.ifPresent(ratios::add);
                for (String other : annotation.alsoComparedTo()) {
                    ratio(group, result, other).ifPresent(ratios::add);
                }
                if (!Double.isNaN(annotation.atLeast())) {
                    String target = (annotation.target().isEmpty() ? annotation.label() : annotation.target())
                            + (result.params().isEmpty() ? "" : " (" + result.paramsText() + ")");
                    check = main.map(r -> new TargetCheck(group.group(), target, r.range(), verdict(r, annotation)))
                            .orElse(new TargetCheck(
                                    group.group(),
                                    target,
                                    "baseline `" + annotation.baseline() + "` missing from the results",
                                    Verdict.NOT_MEASURED));
                }
            }
            rows.add(new Row(result, label, ratios, check));
        }
        List<String> stated = known(group.group()).map(KnownGroup::targets).orElse(List.of());
        rows.sort(Comparator.comparingInt((Row row) -> row.check() == null ? 1 : 0)
                .thenComparingInt(row -> {
                    int i = row.check() == null
                            ? -1
                            : stated.indexOf(row.check().target());
                    return i < 0 ? stated.size() : i;
                }));
        return rows;
    }

    private static Verdict verdict(Ratio ratio, ReportRow annotation) {
        double target = annotation.atLeast();
        boolean strictly = annotation.strictly();
        boolean atMean = reaches(ratio.value(), target, strictly);
        if (reaches(ratio.low(), target, strictly)) {
            return Verdict.HOLDS;
        }
        if (!reaches(ratio.high(), target, strictly)) {
            return Verdict.FAILS;
        }
        return atMean ? Verdict.HOLDS_AT_MEAN : Verdict.FAILS_AT_MEAN;
    }

    private static boolean reaches(double ratio, double target, boolean strictly) {
        return strictly ? ratio > target : ratio >= target;
    }

    private Optional<Ratio> ratio(RecordedGroup group, JmhResult result, String baselineMethod) {
        if (baselineMethod.isEmpty()) {
            return Optional.empty();
        }
        return group.results().stream()
                .filter(other -> result.isSibling(other, baselineMethod))
                .findFirst()
                .map(base -> {
                    double[] row = result.opsPerSecondInterval();
                    double[] b = base.opsPerSecondInterval();
                    return new Ratio(
                            label(base, annotation(base).orElse(null)),
                            result.opsPerSecond() / base.opsPerSecond(),
                            row[0] / b[1],
                            row[1] / b[0]);
                });
    }

    private Optional<ReportRow> annotation(JmhResult result) {
        try {
            Class<?> type = Class.forName(result.className(), false, loader);
            for (Method method : type.getMethods()) {
                if (method.getName().equals(result.method()) && method.isAnnotationPresent(ReportRow.class)) {
                    return Optional.of(method.getAnnotation(ReportRow.class));
                }
            }
        } catch (ClassNotFoundException | LinkageError e) {
            // Results of a class this build no longer has: shown by method name.
        }
        return Optional.empty();
    }

    private static String label(JmhResult result, ReportRow annotation) {
        String label = annotation != null ? annotation.label() : "`" + result.method() + "`";
        return result.params().isEmpty() ? label : label + " (" + result.paramsText() + ")";
    }

    private static String score(JmhResult r) {
        int decimals = decimals(r.score());
        if (Double.isNaN(r.error())) {
            return number(r.score(), decimals) + " " + r.unit();
        }
        return number(r.score(), decimals) + " ± " + number(r.error(), decimals) + " " + r.unit();
    }

    /** Decimals for about three significant digits of {@code value}; its error is shown with as many. */
    static int decimals(double value) {
        double magnitude = Math.abs(value);
        return magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
    }

    static String number(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static String fixed(double ratio) {
        return Double.isInfinite(ratio) ? "∞" : String.format(Locale.ROOT, "%.2f", ratio);
    }

    private static String orUnknown(String s) {
        return s.isEmpty() ? "unknown" : s;
    }

    /** Known groups first, in their order, then any other recorded group by name. */
    private static List<String> groupOrder(List<RecordedGroup> groups) {
        Set<String> order = new LinkedHashSet<>();
        KNOWN_GROUPS.forEach(k -> order.add(k.name()));
        groups.stream()
                .map(RecordedGroup::group)
                .sorted(Comparator.naturalOrder())
                .forEach(order::add);
        return List.copyOf(order);
    }

    private static Optional<KnownGroup> known(String name) {
        return KNOWN_GROUPS.stream().filter(k -> k.name().equals(name)).findFirst();
    }

    private static Optional<RecordedGroup> find(List<RecordedGroup> groups, String name) {
        return groups.stream().filter(g -> g.group().equals(name)).findFirst();
    }
}
