package io.cachekit.benchmarks.report;

import io.cachekit.benchmarks.memory.MemoryPerEntry;
import io.cachekit.benchmarks.run.GroupPlan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The stated targets of the benchmark groups ({@link Goal}s of the {@link ReportRow}s, and the memory group's
 * heap targets) and what the recorded rounds say about each: the ratio of every round and a {@link Verdict}.
 */
public final class TargetChecks {

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

    private TargetChecks() {}

    /**
     * The target checks of every known group, in page order; groups not shown have their targets unmeasured. The
     * goals of a comparison against one row share a check per {@link Goal.Metric}, one verdict per goal.
     */
    public static List<TargetCheck> of(List<GroupResults> groups) {
        List<TargetCheck> checks = new ArrayList<>();
        for (String name : ReportPage.groupOrder(groups)) {
            GroupPlan plan = GroupPlan.of(name);
            Optional<GroupResults> recorded = ReportPage.find(groups, name);
            for (GroupPlan.Block block : plan.blocks()) {
                for (String baseline : block.baselines()) {
                    Map<Goal.Metric, List<Goal>> byMetric = new LinkedHashMap<>();
                    for (Goal goal : block.goals(baseline)) {
                        byMetric.computeIfAbsent(goal.metric(), m -> new ArrayList<>())
                                .add(goal);
                    }
                    String what = block.label(block.subject()) + " vs " + block.label(baseline);
                    List<Integer> threadCounts =
                            recorded.map(g -> threadsOf(g, block)).orElse(List.of());
                    byMetric.forEach((metric, goals) -> {
                        String target = goals.stream().map(TargetChecks::target).collect(Collectors.joining("<br>"));
                        if (threadCounts.isEmpty()) {
                            checks.add(new TargetCheck(name, what, "–", target, "–", List.of(Verdict.NOT_MEASURED)));
                        }
                        for (int t : threadCounts) {
                            Summary ratios = ratios(recorded.get(), block, baseline, t, metric);
                            checks.add(new TargetCheck(
                                    name,
                                    what,
                                    Integer.toString(t),
                                    target,
                                    ratios.text(ReportPage::fixed),
                                    goals.stream()
                                            .map(g -> Double.isNaN(g.atLeast())
                                                    ? Verdict.of(ratios, g.atMost(), true)
                                                    : Verdict.of(ratios, g.atLeast(), false))
                                            .toList()));
                        }
                    });
                }
            }
            if (name.equals("memory")) {
                checks.addAll(memoryChecks(recorded.orElse(null)));
            }
        }
        return checks;
    }

    /**
     * One A/A control ({@link ReportRow#control()}) at one thread count: the same code on both sides, so the
     * spread of its per-round ratios is what the machine alone does to a comparison.
     */
    public record ControlCheck(String group, String what, String threads, String measured) {}

    /** The controls of the shown groups, in page order, at each thread count they ran with. */
    public static List<ControlCheck> controls(List<GroupResults> groups) {
        List<ControlCheck> controls = new ArrayList<>();
        for (String name : ReportPage.groupOrder(groups)) {
            Optional<GroupResults> recorded = ReportPage.find(groups, name);
            if (recorded.isEmpty()) {
                continue;
            }
            for (GroupPlan.Block block : GroupPlan.of(name).blocks()) {
                if (!block.control()) {
                    continue;
                }
                String baseline = block.baselines().get(0);
                for (int t : threadsOf(recorded.get(), block)) {
                    Summary ratios = ratios(recorded.get(), block, baseline, t, Goal.Metric.SCORE);
                    controls.add(new ControlCheck(
                            name, block.label(baseline), Integer.toString(t), ratios.text(ReportPage::fixed)));
                }
            }
        }
        return controls;
    }

    /** A goal in words: {@code ≥ 0.95 × (issue 17)}, {@code p99 ≤ 1.20 × (issue 15)}. */
    static String target(Goal goal) {
        String prefix = goal.metric() == Goal.Metric.P99 ? "p99 " : "";
        String bound = Double.isNaN(goal.atLeast())
                ? "≤ " + ReportPage.fixed(goal.atMost())
                : "≥ " + ReportPage.fixed(goal.atLeast());
        return prefix + bound + " × (" + goal.source() + ")";
    }

    private static List<TargetCheck> memoryChecks(GroupResults group) {
        List<TargetCheck> checks = new ArrayList<>();
        for (List<MemoryPerEntry.Config> pair : MemoryPerEntry.Config.comparisons()) {
            MemoryPerEntry.Config subject = pair.get(0);
            MemoryPerEntry.Config matching = pair.get(1);
            Summary extra = group == null ? new Summary(List.of()) : memoryDifferences(group, subject, matching);
            checks.add(new TargetCheck(
                    "memory",
                    "heap per entry: " + subject.label() + " vs " + matching.label(),
                    "–",
                    "at most +" + ReportPage.fixed0(MemoryPerEntry.MAX_EXTRA_BYTES) + " bytes (issue 17)",
                    extra.text(v -> ReportPage.signed(v) + " B"),
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
                "at most " + ReportPage.fixed0(100 * MemoryPerEntry.MAX_EXPIRED_HELD)
                        + "% still held: freed without a thread" + " (issue 17)",
                held.text(v -> ReportPage.fixed1(v) + "%"),
                List.of(Verdict.of(held, 100 * MemoryPerEntry.MAX_EXPIRED_HELD, true))));
        return checks;
    }

    /** The thread counts a block ran with in {@code group}, ascending. */
    static List<Integer> threadsOf(GroupResults group, GroupPlan.Block block) {
        return group.runs().stream()
                .filter(r -> r.block().equals(block.id()))
                .map(RunRecord::threads)
                .distinct()
                .sorted()
                .toList();
    }

    /** The runs of one row of a block at one thread count, by round. */
    static List<RunRecord> runs(GroupResults group, GroupPlan.Block block, String method, int threads) {
        return group.runs().stream()
                .filter(r -> r.block().equals(block.id()) && r.method().equals(method) && r.threads() == threads)
                .sorted(Comparator.comparingInt(RunRecord::round))
                .toList();
    }

    /**
     * The ratio of the subject to the baseline for each round that ran both: of their throughputs ({@link
     * Goal.Metric#SCORE}; for time-per-operation modes the inverse of the mean times), or of their 99th percentile
     * times ({@link Goal.Metric#P99}; rounds without percentiles are left out).
     */
    static Summary ratios(GroupResults group, GroupPlan.Block block, String baseline, int threads, Goal.Metric metric) {
        List<Double> ratios = new ArrayList<>();
        Map<Integer, RunRecord> base = runs(group, block, baseline, threads).stream()
                .collect(Collectors.toMap(RunRecord::round, r -> r, (a, b) -> a));
        for (RunRecord run : runs(group, block, block.subject(), threads)) {
            RunRecord other = base.get(run.round());
            if (other == null) {
                continue;
            }
            double ratio =
                    metric == Goal.Metric.P99 ? run.p99() / other.p99() : run.opsPerSecond() / other.opsPerSecond();
            if (!Double.isNaN(ratio)) {
                ratios.add(ratio);
            }
        }
        return new Summary(ratios);
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
}
