package io.cachekit.benchmarks.report;

import io.cachekit.benchmarks.memory.MemoryPerEntry;
import io.cachekit.benchmarks.run.GroupPlan;
import io.cachekit.benchmarks.run.RoundRunner;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Renders {@code docs/benchmarks.md} from the recorded groups of one code revision: the method, the targets and
 * their verdicts, then one section per group with its command, machine, date, revision and load, and for each
 * comparison the scores of every row and the ratio of every round.
 *
 * <p>Labels, comparisons and targets come from the {@link ReportRow} annotations of the benchmark classes (the
 * plan of each group, {@link GroupPlan}); the numbers from the group files.
 */
public final class ReportPage {

    /** A group of the project, in page order, with its section title. */
    record KnownGroup(String name, String title) {}

    static final List<KnownGroup> KNOWN_GROUPS = List.of(
            new KnownGroup("memory", "In memory"),
            new KnownGroup("redis", "Redis"),
            new KnownGroup("postgres", "PostgreSQL"),
            new KnownGroup("memcached", "Memcached"),
            new KnownGroup("mongodb", "MongoDB"),
            new KnownGroup("dynamodb", "DynamoDB"),
            new KnownGroup("firestore", "Firestore"),
            new KnownGroup("http", "HTTP response cache"));

    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** What the page is made of. */
    public record Input(List<GroupResults> shown, List<Stale> stale) {}

    /** A group file that is not shown: measured at other code, or by an older runner. */
    public record Stale(String group, String revision, String reason) {}

    /** The whole page. */
    public String render(Input input) {
        List<GroupResults> groups = input.shown();
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append(
                "<!-- Written by scripts/bench.sh from the results in docs/benchmarks/; edits here are lost. -->\n\n");
        md.append("JMH benchmarks of Cachekit beside the libraries and raw clients it is measured by, run by\n")
                .append(
                        "`scripts/bench.sh GROUP` (or `scripts/bench.sh all`), which reruns a group and rewrites this\n")
                .append("page.\n\n");
        MethodText.append(md);

        md.append("## Groups\n\n");
        md.append("Each group reruns with one command, which starts the servers it needs and rewrites this page;\n")
                .append(
                        "`scripts/bench.sh --help` lists the options (thread list, rounds, iterations, load threshold).\n")
                .append("Runs and time with the default settings, on a 2-core machine:\n\n");
        md.append("| Group | Rerun | Runs | About |\n");
        md.append("| --- | --- | ---: | ---: |\n");
        int allRuns = 0;
        double allSeconds = 0;
        for (KnownGroup known : KNOWN_GROUPS) {
            RoundRunner.Estimate estimate = RoundRunner.estimate(known.name());
            allRuns += estimate.runs();
            allSeconds += estimate.seconds();
            row(
                    md,
                    known.title(),
                    "`scripts/bench.sh " + known.name() + "`",
                    estimate.runs(),
                    Math.round(estimate.seconds() / 60) + " min");
        }
        md.append("| every group | `scripts/bench.sh all` | ")
                .append(allRuns)
                .append(" | ")
                .append(Math.round(allSeconds / 60))
                .append(" min |\n\n");

        Set<String> revisions =
                groups.stream().map(g -> "`" + g.revision() + "`").collect(Collectors.toCollection(LinkedHashSet::new));
        if (!groups.isEmpty()) {
            md.append("Revision: every group below measured the code of commit ")
                    .append(String.join(" = ", revisions))
                    .append(revisions.size() > 1 ? " (commits with the same code outside `docs/`)" : "")
                    .append(", source tree `")
                    .append(shortTree(groups.get(0).codeTree()))
                    .append("` without `docs/`.\n\n");
        } else {
            md.append("No group has been measured at the current revision yet.\n\n");
        }
        if (!input.stale().isEmpty()) {
            md.append("Not shown (measured at other code, or by an older runner; rerun to show):\n");
            for (Stale stale : input.stale()) {
                md.append("- `")
                        .append(stale.group())
                        .append("` (")
                        .append(stale.revision().isEmpty() ? "unknown revision" : "revision `" + stale.revision() + "`")
                        .append("): ")
                        .append(stale.reason())
                        .append("; `scripts/bench.sh ")
                        .append(stale.group())
                        .append("`\n");
            }
            md.append('\n');
        }

        md.append("## Targets\n\n");
        md.append("| Group | Comparison | Threads | Target | Per-round ratio: median [range] | Verdict |\n");
        md.append("| --- | --- | ---: | --- | --- | --- |\n");
        for (TargetChecks.TargetCheck check : TargetChecks.of(groups)) {
            row(md, check.group(), check.what(), check.threads(), check.target(), check.measured(), check.words());
        }
        md.append('\n');
        List<TargetChecks.ControlCheck> controls = TargetChecks.controls(groups);
        if (!controls.isEmpty()) {
            md.append("Controls: a row against the same code in forks of its own (A/A). On a quiet machine every\n")
                    .append("ratio would be 1.00; the range is what this machine alone does to a comparison of the\n")
                    .append("group, and a target nearer to the compared medians than that cannot be shown to hold or\n")
                    .append("miss here.\n\n");
            md.append("| Group | Row against itself | Threads | Per-round ratio: median [range] |\n");
            md.append("| --- | --- | ---: | --- |\n");
            for (TargetChecks.ControlCheck control : controls) {
                row(md, control.group(), control.what(), control.threads(), control.measured());
            }
            md.append('\n');
        }

        for (String name : groupOrder(groups)) {
            String title = KNOWN_GROUPS.stream()
                    .filter(k -> k.name().equals(name))
                    .map(KnownGroup::title)
                    .findFirst()
                    .orElse(name);
            md.append("## ").append(title).append(" (`").append(name).append("`)\n\n");
            Optional<GroupResults> recorded = find(groups, name);
            if (recorded.isEmpty()) {
                md.append("Not measured at this revision: `scripts/bench.sh ")
                        .append(name)
                        .append("`.\n\n");
                continue;
            }
            renderGroup(md, recorded.get());
        }
        return md.toString();
    }

    private void renderGroup(StringBuilder md, GroupResults group) {
        md.append("Rerun: `").append(group.command()).append("`\n\n");
        MachineInfo m = group.machine();
        md.append("- Recorded: ")
                .append(DATE.format(group.startedAt()))
                .append(" to ")
                .append(DATE.format(group.finishedAt()))
                .append(", revision `")
                .append(group.revision())
                .append("`\n");
        md.append("- Machine: ")
                .append(m.cpu())
                .append(", ")
                .append(m.cores())
                .append(" logical CPUs, ")
                .append(m.memory())
                .append(" memory; ")
                .append(m.os())
                .append('\n');
        md.append("- JDK: ").append(group.jdk()).append('\n');
        md.append("- Runs: ")
                .append(group.settings().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", ")))
                .append('\n');
        DoubleSummaryStatistics loads = group.runs().stream()
                .mapToDouble(RunRecord::load)
                .filter(Double::isFinite)
                .summaryStatistics();
        md.append("- Load average (1, 5, 15 min): ")
                .append(orUnknown(group.loadBefore()))
                .append(" before, ")
                .append(orUnknown(group.loadAfter()))
                .append(" after")
                .append(
                        loads.getCount() > 0
                                ? "; 1-minute load at the start of the runs " + fixed(loads.getMin()) + " to "
                                        + fixed(loads.getMax())
                                : "")
                .append('\n');
        if (!group.note().isBlank()) {
            md.append("- Note: ").append(group.note().strip()).append('\n');
        }
        md.append('\n');

        GroupPlan plan = GroupPlan.of(group.group());
        for (GroupPlan.Block block : plan.blocks()) {
            List<Integer> threadCounts = TargetChecks.threadsOf(group, block);
            if (threadCounts.isEmpty()) {
                continue;
            }
            md.append("### ").append(block.label(block.subject())).append("\n\n");
            block.annotation(block.subject())
                    .map(ReportRow::note)
                    .filter(n -> !n.isBlank())
                    .ifPresent(n -> md.append(n).append("\n\n"));
            boolean sample = group.runs().stream()
                    .anyMatch(r -> r.block().equals(block.id()) && r.mode().equals("sample"));
            md.append("| Row | Threads | Score: median [range] of rounds |")
                    .append(sample ? " p50 | p99 |" : "")
                    .append(" Ratio per round | Median [range] |\n");
            md.append("| --- | ---: | --- |")
                    .append(sample ? " ---: | ---: |" : "")
                    .append(" --- | --- |\n");
            for (int t : threadCounts) {
                for (String row : block.rows()) {
                    List<RunRecord> runs = TargetChecks.runs(group, block, row, t);
                    if (runs.isEmpty()) {
                        continue;
                    }
                    String unit = runs.get(0).unit();
                    Summary scores =
                            new Summary(runs.stream().map(RunRecord::score).toList());
                    md.append("| ")
                            .append(block.label(row))
                            .append(" | ")
                            .append(t)
                            .append(" | ")
                            .append(scores.text(ReportPage::number))
                            .append(' ')
                            .append(unit)
                            .append(" |");
                    if (sample) {
                        md.append(' ')
                                .append(number(new Summary(runs.stream()
                                                .map(RunRecord::p50)
                                                .toList())
                                        .median()))
                                .append(" | ")
                                .append(number(new Summary(runs.stream()
                                                .map(RunRecord::p99)
                                                .toList())
                                        .median()))
                                .append(" |");
                    }
                    if (row.equals(block.subject()) && !block.baselines().isEmpty()) {
                        List<String> perRound = new ArrayList<>();
                        List<String> medians = new ArrayList<>();
                        for (String baseline : block.baselines()) {
                            for (Goal.Metric metric : metrics(block, baseline)) {
                                Summary ratios = TargetChecks.ratios(group, block, baseline, t, metric);
                                String prefix = metric == Goal.Metric.P99 ? "p99: " : "";
                                perRound.add(prefix
                                        + ratios.values().stream()
                                                .map(ReportPage::fixed)
                                                .collect(Collectors.joining(", "))
                                        + " × " + block.label(baseline));
                                medians.add(prefix + ratios.text(ReportPage::fixed));
                            }
                        }
                        md.append(' ')
                                .append(String.join("<br>", perRound))
                                .append(" | ")
                                .append(String.join("<br>", medians))
                                .append(" |\n");
                    } else {
                        md.append(" | |\n");
                    }
                }
            }
            secondaryNotes(md, group, block, threadCounts);
            md.append('\n');
        }
        if (!group.memory().isEmpty()) {
            renderMemory(md, group);
        }
    }

    /** The ratios shown against {@code baseline}: throughput, and p99 where a goal is about it. */
    private static List<Goal.Metric> metrics(GroupPlan.Block block, String baseline) {
        return block.goals(baseline).stream().anyMatch(g -> g.metric() == Goal.Metric.P99)
                ? List.of(Goal.Metric.SCORE, Goal.Metric.P99)
                : List.of(Goal.Metric.SCORE);
    }

    /** Secondary scores (JMH counters) of a block: loads per call where a row counts both, else each counter. */
    private void secondaryNotes(StringBuilder md, GroupResults group, GroupPlan.Block block, List<Integer> threads) {
        List<String> notes = new ArrayList<>();
        for (int t : threads) {
            for (String row : block.rows()) {
                List<RunRecord> runs = TargetChecks.runs(group, block, row, t);
                if (runs.stream()
                                .allMatch(r -> r.secondary().containsKey("loads")
                                        && r.secondary().containsKey("calls"))
                        && !runs.isEmpty()) {
                    Summary perCall = new Summary(runs.stream()
                            .map(r -> r.secondary().get("loads") / r.secondary().get("calls"))
                            .toList());
                    notes.add(block.label(row) + ", " + t + " thread(s): " + perCall.text(ReportPage::number)
                            + " loads per call");
                    continue;
                }
                Map<String, List<Double>> byName = new TreeMap<>();
                for (RunRecord run : runs) {
                    run.secondary().forEach((k, v) -> byName.computeIfAbsent(k, x -> new ArrayList<>())
                            .add(v));
                }
                byName.forEach((name, values) -> notes.add(block.label(row) + ", " + t + " thread(s): `" + name + "` "
                        + new Summary(values).text(ReportPage::number)));
            }
        }
        if (!notes.isEmpty()) {
            md.append("\nCounters (median [range] of rounds):\n");
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
        }
    }

    private void renderMemory(StringBuilder md, GroupResults group) {
        md.append("### Heap per cached entry\n\n");
        md.append("Bytes of heap a cache retains per entry after a full GC, beyond its keys and values: ")
                .append(String.format(Locale.ROOT, "%,d", MemoryPerEntry.ENTRIES))
                .append(" string entries, each configuration filled in a JVM of its own ")
                .append("(`-XX:+UseSerialGC -Xms1g -Xmx1g`, compressed oops), every cache bounded to 250,000 entries. ")
                .append("\"After expiry\": once every entry's TTL (5 s) has passed, ")
                .append(String.format(Locale.ROOT, "%,d", MemoryPerEntry.LATER_WRITES))
                .append(" other keys were written and the cache ran its maintenance (`cleanUp()`), with nothing")
                .append(" reading the expired entries: the heap still held per original entry (the hash table and")
                .append(" Caffeine's frequency sketch keep their peak size, some 20 bytes per entry, whatever")
                .append(" expires), and the share of expired entries the cache still counts.\n\n");
        md.append("| Configuration | Bytes per entry: median [range] of rounds | Per round | After expiry: bytes per")
                .append(" entry | Expired entries still held |\n");
        md.append("| --- | --- | --- | --- | --- |\n");
        for (List<MemoryPerEntry.Config> pair : MemoryPerEntry.Config.comparisons()) {
            for (MemoryPerEntry.Config config : pair) {
                Summary bytes = memoryValues(group, config, false);
                if (bytes.count() == 0) {
                    continue;
                }
                Summary expired = memoryValues(group, config, true);
                Summary held = new Summary(group.memory().stream()
                        .filter(r -> r.config().equals(config.name()))
                        .map(r -> 100 * MemoryPerEntry.expiredHeldShare(r))
                        .filter(Double::isFinite)
                        .toList());
                row(
                        md,
                        config.label(),
                        bytes.text(ReportPage::fixed1),
                        bytes.values().stream().map(ReportPage::fixed1).collect(Collectors.joining(", ")),
                        expired.count() == 0 ? "–" : expired.text(ReportPage::fixed1),
                        held.count() == 0 ? "–" : held.text(v -> fixed1(v) + "%"));
            }
        }
        md.append('\n');
    }

    /** Appends one Markdown table row of {@code cells}. */
    private static void row(StringBuilder md, Object... cells) {
        md.append('|');
        for (Object cell : cells) {
            md.append(' ').append(cell).append(" |");
        }
        md.append('\n');
    }

    // ---------------------------------------------------------------- numbers

    private static Summary memoryValues(GroupResults group, MemoryPerEntry.Config config, boolean expired) {
        return new Summary(group.memory().stream()
                .filter(r -> r.config().equals(config.name()))
                .sorted(Comparator.comparingInt(MemoryRecord::round))
                .map(r -> expired ? r.expiredBytesPerEntry() : r.bytesPerEntry())
                .filter(Double::isFinite)
                .toList());
    }

    /** About three significant digits. */
    static String number(double value) {
        if (!Double.isFinite(value)) {
            return "–";
        }
        double magnitude = Math.abs(value);
        int decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    static String fixed(double ratio) {
        return Double.isInfinite(ratio) ? "∞" : String.format(Locale.ROOT, "%.2f", ratio);
    }

    static String fixed1(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    static String fixed0(double value) {
        return String.format(Locale.ROOT, "%.0f", value);
    }

    static String signed(double value) {
        return String.format(Locale.ROOT, "%+.1f", value);
    }

    private static String orUnknown(String s) {
        return s.isEmpty() ? "unknown" : s;
    }

    private static String shortTree(String tree) {
        return tree.length() > 12 ? tree.substring(0, 12) : tree;
    }

    /** Known groups first, in their order, then any other group by name. */
    static List<String> groupOrder(List<GroupResults> groups) {
        Set<String> order = new LinkedHashSet<>();
        KNOWN_GROUPS.forEach(k -> order.add(k.name()));
        groups.stream().map(GroupResults::group).sorted().forEach(order::add);
        return List.copyOf(order);
    }

    static Optional<GroupResults> find(List<GroupResults> groups, String name) {
        return groups.stream().filter(g -> g.group().equals(name)).findFirst();
    }
}
