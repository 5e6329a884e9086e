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
            new KnownGroup("firestore", "Firestore"));

    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** Whether a target holds over the whole range of rounds. */
    public enum Verdict {
        HOLDS("**holds**"),
        MISSES("**misses**"),
        INCONCLUSIVE("inconclusive"),
        NOT_MEASURED("not measured");

        final String words;

        Verdict(String words) {
            this.words = words;
        }

        /** "holds" when the whole range meets the target, "misses" when none of it does. */
        static Verdict of(Summary ratios, double limit, boolean atMost) {
            if (ratios.count() == 0) {
                return NOT_MEASURED;
            }
            boolean lowMeets = atMost ? ratios.max() <= limit : ratios.min() >= limit;
            boolean highMeets = atMost ? ratios.min() <= limit : ratios.max() >= limit;
            return lowMeets ? HOLDS : highMeets ? INCONCLUSIVE : MISSES;
        }
    }

    /** One stated target and what the rounds say about it. */
    public record TargetCheck(
            String group, String what, String threads, String target, String measured, List<Verdict> verdicts) {
        /** The verdicts, one per target, in words. */
        String words() {
            return verdicts.stream().map(v -> v.words).collect(Collectors.joining("<br>"));
        }
    }

    /** The values of the rounds: their median and range. */
    record Summary(List<Double> values) {
        int count() {
            return values.size();
        }

        double median() {
            List<Double> sorted = values.stream().sorted().toList();
            int n = sorted.size();
            return n == 0
                    ? Double.NaN
                    : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }

        double min() {
            return stats().getMin();
        }

        double max() {
            return stats().getMax();
        }

        private DoubleSummaryStatistics stats() {
            return values.stream().mapToDouble(Double::doubleValue).summaryStatistics();
        }

        /** {@code median [min, max]}, with the given formatting of each number. */
        String text(java.util.function.DoubleFunction<String> format) {
            if (values.isEmpty()) {
                return "–";
            }
            if (values.size() == 1) {
                return format.apply(median());
            }
            return format.apply(median()) + " [" + format.apply(min()) + ", " + format.apply(max()) + "]";
        }
    }

    /** What the page is made of. */
    public record Input(List<GroupResults> shown, List<Stale> stale) {}

    /** A group file that is not shown: measured at other code, or by an older runner. */
    public record Stale(String group, String revision, String reason) {}

    /** The target checks of every known group, in page order; groups not shown have their targets unmeasured. */
    public List<TargetCheck> checks(List<GroupResults> groups) {
        List<TargetCheck> checks = new ArrayList<>();
        for (String name : groupOrder(groups)) {
            GroupPlan plan = GroupPlan.of(name);
            Optional<GroupResults> recorded = find(groups, name);
            for (GroupPlan.Block block : plan.blocks()) {
                for (String baseline : block.baselines()) {
                    List<Goal> goals = block.goals(baseline);
                    if (goals.isEmpty()) {
                        continue;
                    }
                    String what = block.label(block.subject()) + " vs " + block.label(baseline);
                    String target = goals.stream()
                            .map(g -> "≥ " + fixed(g.atLeast()) + " × (" + g.source() + ")")
                            .collect(Collectors.joining("<br>"));
                    List<Integer> threadCounts =
                            recorded.map(g -> threadsOf(g, block)).orElse(List.of());
                    if (threadCounts.isEmpty()) {
                        checks.add(new TargetCheck(name, what, "–", target, "–", List.of(Verdict.NOT_MEASURED)));
                    }
                    for (int t : threadCounts) {
                        Summary ratios = ratios(recorded.get(), block, baseline, t);
                        checks.add(new TargetCheck(
                                name,
                                what,
                                Integer.toString(t),
                                target,
                                ratios.text(ReportPage::fixed),
                                goals.stream()
                                        .map(g -> Verdict.of(ratios, g.atLeast(), false))
                                        .toList()));
                    }
                }
            }
            if (name.equals("memory")) {
                checks.addAll(memoryChecks(recorded.orElse(null)));
            }
        }
        return checks;
    }

    private List<TargetCheck> memoryChecks(GroupResults group) {
        List<TargetCheck> checks = new ArrayList<>();
        for (List<MemoryPerEntry.Config> pair : MemoryPerEntry.Config.comparisons()) {
            MemoryPerEntry.Config subject = pair.get(0);
            MemoryPerEntry.Config matching = pair.get(1);
            Summary extra = group == null ? new Summary(List.of()) : memoryDifferences(group, subject, matching);
            checks.add(new TargetCheck(
                    "memory",
                    "heap per entry: " + subject.label() + " vs " + matching.label(),
                    "–",
                    "at most +" + fixed0(MemoryPerEntry.MAX_EXTRA_BYTES) + " bytes (issue 17)",
                    extra.text(v -> signed(v) + " B"),
                    List.of(Verdict.of(extra, MemoryPerEntry.MAX_EXTRA_BYTES, true))));
        }
        Summary held = group == null
                ? new Summary(List.of())
                : new Summary(group.memory().stream()
                        .filter(r -> r.config().equals(MemoryPerEntry.Config.CACHEKIT_TTL.name()))
                        .sorted(Comparator.comparingInt(MemoryRecord::round))
                        .map(r -> 100 * MemoryPerEntry.expiredHeldShare(r))
                        .filter(Double::isFinite)
                        .toList());
        checks.add(new TargetCheck(
                "memory",
                "expired entries never read again, still held after their TTL, "
                        + String.format(Locale.ROOT, "%,d", MemoryPerEntry.LATER_WRITES)
                        + " later writes and the cache's maintenance: "
                        + MemoryPerEntry.Config.CACHEKIT_TTL.label(),
                "–",
                "at most " + fixed0(100 * MemoryPerEntry.MAX_EXPIRED_HELD) + "% still held: freed without a thread"
                        + " (issue 17)",
                held.text(v -> fixed1(v) + "%"),
                List.of(Verdict.of(held, 100 * MemoryPerEntry.MAX_EXPIRED_HELD, true))));
        return checks;
    }

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
        md.append("## Method\n\n");
        md.append("- **Interleaved.** Each comparison (a Cachekit row and the rows it is compared with) runs in\n")
                .append(
                        "  rounds: in each round every row runs in a JMH fork of its own, one after the other, and the\n")
                .append("  order is reversed every other round (A B, B A, A B, ...), so that drift of the machine's\n")
                .append("  load falls on both sides alike. No row shares a JVM with another.\n");
        md.append("- **Ratios per round.** A ratio is the row's throughput divided by the compared row's from the\n")
                .append("  same round (for time-per-operation modes, the inverse of the times). The tables give the\n")
                .append("  ratio of every round, their median and their range [lowest, highest].\n");
        md.append("- **Verdicts.** A target *holds* only when the whole range of per-round ratios meets it,\n")
                .append("  *misses* when the whole range falls short, and is *inconclusive* otherwise.\n");
        md.append("- **Latency.** Remote rows run in JMH's SampleTime mode: the score is the mean time per\n")
                .append("  operation, p50 and p99 are percentiles of the sampled operations of a run, and the tables\n")
                .append(
                        "  show the median of each over the rounds. Rows that start 16 calls and wait for all of them\n")
                .append("  count 16 operations per sample, so their percentiles are a batch's time divided by 16.\n");
        md.append("- **Fair baselines.** Remote rows cache a ~1 KB JSON record (a 100-character string is the\n")
                .append("  second value). The raw side encodes and decodes the record with Jackson configured as\n")
                .append(
                        "  Cachekit's codec on every call, and every fork checks that both sides send the same payload\n")
                .append(
                        "  bytes (Cachekit adds its 12-byte envelope header). Both sides have the same client settings,\n")
                .append(
                        "  timeouts and blocking mode, and a store of their own: Redis key prefixes, PostgreSQL tables\n")
                .append(
                        "  dropped and created again in every fork, MongoDB collections, DynamoDB tables and Firestore\n")
                .append("  collections of their own. Raw Lettuce uses `ByteArrayCodec`, in both its sync API and the\n")
                .append(
                        "  async-plus-wait form Cachekit uses. The Javadoc of each benchmark class gives the details.\n");
        md.append("- **Toolkit cost.** A no-op backend (gets return stored bytes, sets keep a reference) shows what\n")
                .append("  Cachekit itself costs per call, beside Jackson alone on the same record.\n");
        md.append("- **Threads.** Comparisons run at each count of the thread list (`--threads`, default 1 and 2\n")
                .append("  on this 2-core machine) unless a row fixes its own.\n");
        md.append("- **One revision.** Every group on this page measured the same code; a group recorded at other\n")
                .append(
                        "  code is not shown until it is rerun. `scripts/bench.sh` refuses to start when the 1-minute\n")
                .append(
                        "  load average is above a threshold (`--max-load`, default 1.0) unless given `--ignore-load`.\n\n");

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
            md.append("| ")
                    .append(known.title())
                    .append(" | `scripts/bench.sh ")
                    .append(known.name())
                    .append("` | ")
                    .append(estimate.runs())
                    .append(" | ")
                    .append(Math.round(estimate.seconds() / 60))
                    .append(" min |\n");
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
        for (TargetCheck check : checks(groups)) {
            md.append("| ")
                    .append(check.group())
                    .append(" | ")
                    .append(check.what())
                    .append(" | ")
                    .append(check.threads())
                    .append(" | ")
                    .append(check.target())
                    .append(" | ")
                    .append(check.measured())
                    .append(" | ")
                    .append(check.words())
                    .append(" |\n");
        }
        md.append('\n');

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
            List<Integer> threadCounts = threadsOf(group, block);
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
                    List<RunRecord> runs = runs(group, block, row, t);
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
                            Summary ratios = ratios(group, block, baseline, t);
                            perRound.add(ratios.values().stream()
                                            .map(ReportPage::fixed)
                                            .collect(Collectors.joining(", "))
                                    + " × " + block.label(baseline));
                            medians.add(ratios.text(ReportPage::fixed));
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

    /** Secondary scores (JMH counters) of a block: loads per call where a row counts both, else each counter. */
    private void secondaryNotes(StringBuilder md, GroupResults group, GroupPlan.Block block, List<Integer> threads) {
        List<String> notes = new ArrayList<>();
        for (int t : threads) {
            for (String row : block.rows()) {
                List<RunRecord> runs = runs(group, block, row, t);
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
                md.append("| ")
                        .append(config.label())
                        .append(" | ")
                        .append(bytes.text(ReportPage::fixed1))
                        .append(" | ")
                        .append(bytes.values().stream().map(ReportPage::fixed1).collect(Collectors.joining(", ")))
                        .append(" | ")
                        .append(expired.count() == 0 ? "–" : expired.text(ReportPage::fixed1))
                        .append(" | ")
                        .append(held.count() == 0 ? "–" : held.text(v -> fixed1(v) + "%"))
                        .append(" |\n");
            }
        }
        md.append('\n');
    }

    // ---------------------------------------------------------------- numbers

    private static List<Integer> threadsOf(GroupResults group, GroupPlan.Block block) {
        return group.runs().stream()
                .filter(r -> r.block().equals(block.id()))
                .map(RunRecord::threads)
                .distinct()
                .sorted()
                .toList();
    }

    private static List<RunRecord> runs(GroupResults group, GroupPlan.Block block, String method, int threads) {
        return group.runs().stream()
                .filter(r -> r.block().equals(block.id()) && r.method().equals(method) && r.threads() == threads)
                .sorted(Comparator.comparingInt(RunRecord::round))
                .toList();
    }

    /** The ratio of the subject's throughput to the baseline's, for each round that ran both. */
    static Summary ratios(GroupResults group, GroupPlan.Block block, String baseline, int threads) {
        List<Double> ratios = new ArrayList<>();
        Map<Integer, RunRecord> base = runs(group, block, baseline, threads).stream()
                .collect(Collectors.toMap(RunRecord::round, r -> r, (a, b) -> a));
        for (RunRecord run : runs(group, block, block.subject(), threads)) {
            RunRecord other = base.get(run.round());
            if (other != null) {
                ratios.add(run.opsPerSecond() / other.opsPerSecond());
            }
        }
        return new Summary(ratios);
    }

    private static Summary memoryValues(GroupResults group, MemoryPerEntry.Config config, boolean expired) {
        return new Summary(group.memory().stream()
                .filter(r -> r.config().equals(config.name()))
                .sorted(Comparator.comparingInt(MemoryRecord::round))
                .map(r -> expired ? r.expiredBytesPerEntry() : r.bytesPerEntry())
                .filter(Double::isFinite)
                .toList());
    }

    /** Per round: the subject's bytes per entry minus the matching configuration's. */
    private static Summary memoryDifferences(
            GroupResults group, MemoryPerEntry.Config subject, MemoryPerEntry.Config matching) {
        Map<Integer, Double> base = group.memory().stream()
                .filter(r -> r.config().equals(matching.name()))
                .collect(Collectors.toMap(MemoryRecord::round, MemoryRecord::bytesPerEntry, (a, b) -> a));
        List<Double> differences = new ArrayList<>();
        group.memory().stream()
                .filter(r -> r.config().equals(subject.name()))
                .sorted(Comparator.comparingInt(MemoryRecord::round))
                .forEach(r -> {
                    Double other = base.get(r.round());
                    if (other != null) {
                        differences.add(r.bytesPerEntry() - other);
                    }
                });
        return new Summary(differences);
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

    private static String fixed1(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static String fixed0(double value) {
        return String.format(Locale.ROOT, "%.0f", value);
    }

    private static String signed(double value) {
        return String.format(Locale.ROOT, "%+.1f", value);
    }

    private static String orUnknown(String s) {
        return s.isEmpty() ? "unknown" : s;
    }

    private static String shortTree(String tree) {
        return tree.length() > 12 ? tree.substring(0, 12) : tree;
    }

    /** Known groups first, in their order, then any other group by name. */
    private static List<String> groupOrder(List<GroupResults> groups) {
        Set<String> order = new LinkedHashSet<>();
        KNOWN_GROUPS.forEach(k -> order.add(k.name()));
        groups.stream().map(GroupResults::group).sorted().forEach(order::add);
        return List.copyOf(order);
    }

    private static Optional<GroupResults> find(List<GroupResults> groups, String name) {
        return groups.stream().filter(g -> g.group().equals(name)).findFirst();
    }
}
