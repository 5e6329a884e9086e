package io.cachekit.benchmarks.run;

import io.cachekit.benchmarks.CommandOptions;
import io.cachekit.benchmarks.memory.MemoryPerEntry;
import io.cachekit.benchmarks.report.GroupResults;
import io.cachekit.benchmarks.report.MachineInfo;
import io.cachekit.benchmarks.report.MemoryRecord;
import io.cachekit.benchmarks.report.RunRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs one benchmark group the way a skeptical reader would: every row of a comparison in forks of its own,
 * the rows of a comparison one after the other in rounds whose order is reversed every other round (A B, B A,
 * A B, ...), at each thread count, and records every run, so that the page can show the ratio of each round
 * and their median and range. {@code scripts/bench.sh} runs it.
 *
 * <pre>
 * RoundRunner --group redis --out results/redis.json [--rounds 3] [--threads 1,2] [--forks 1]
 *         [--warmup-iterations 1] [--warmup-time T] [--iterations 2] [--time T] [--only REGEX]
 *         [--log-dir DIR] [--command ...] [--revision ...] [--code-tree ...] [--note ...]
 *         [--load-before "0.1 0.2 0.3"] [--lock-wait-seconds 1800] [--before-each-run COMMAND] [--plan]
 * </pre>
 *
 * The warm-up time defaults by group ({@link #defaultWarmupTime}): long enough for the JIT to compile both sides'
 * paths before measuring, which takes many more seconds for a store answering in a millisecond than for an
 * in-memory hit. A group with servers of its own (not started in the fork) first makes one run that is not
 * recorded, so that the first recorded run does not meet a cold server (its JIT, its caches). The measurement
 * time defaults by group too ({@link #defaultMeasurementTime}).
 *
 * <p>{@code --before-each-run} is a shell command run before every run (its output in the run's log folder); a
 * failure stops the group. {@code scripts/bench.sh} uses it to restart the Firestore emulator, which keeps
 * every write it takes: its heap grew by about 4 MB a second under sets, and after 25 minutes of the group a set
 * took 27 ms. A restarted server is cold, so such a group makes no unrecorded warm-up run: each run's own
 * warm-up warms the server as well, and both sides of a comparison meet a server in the same state.
 *
 * <p>{@code --plan} prints the runs and the time they will take, and runs nothing. {@code --only} keeps the
 * comparisons whose id ({@code Class.method}) matches the regular expression (and, for the memory group, the
 * heap measurement when it matches {@code MemoryPerEntry}).
 */
public final class RoundRunner {
    /**
     * What a fork costs beyond its iterations (JVM start, class loading, clients, writing the keys of the setup),
     * in seconds, for the time estimate: smoke runs on a loaded 2-core machine, scaled down to a quiet one.
     */
    private static double forkOverheadSeconds(String group) {
        return switch (group) {
            case "memory" -> 1.5;
            case "redis", "memcached", "postgres", "mongodb" -> 2.5;
            case "http" -> 3.5; // an embedded Tomcat and its first requests in every fork
            default -> 4.5; // dynamodb, firestore: emulators that take thousands of writes per setup slowly
        };
    }

    /**
     * The warm-up time of each run unless {@code --warmup-time} says otherwise: long enough that C2 has compiled
     * the paths of both sides, which on two cores shared with the servers takes tens of thousands of calls.
     * Measured, in consecutive 4 s iterations from a fork's start: a MongoDB async get (16 in flight, its server
     * then in the same JVM) took 76, 39, 40, 36 and 35 us; a Firestore async get 798, 427, 302, 201 and 131 us; a
     * DynamoDB get 797, 678, 604, 610, 448, 376 and 382 us (the raw clients' rows slowed as much). After 8 s of
     * warm-up the MongoDB async get ranged from 0.73 to 1.05 of the raw driver's over three rounds; after 20 s it
     * was at 1.01 and 0.99. An HTTP HIT took 905 us in its first 5 s and 160 after 10; after 8 s its next three
     * seconds took 494 to 576 us, after 20 s 341 to 361, then 313 to 330. DynamoDB since its gets reuse generations
     * (GetItem, with a BatchGetItem a second per shard): in 2 s iterations after 20 s of warm-up, Cachekit's get
     * took 515, 439, then 352 to 390 us, its set 598, 656, 521, then 408 to 453 us, while the raw rows were steady
     * from the second iteration; hence 30 s there. Redis, PostgreSQL and Memcached had 4 s, after which both
     * measured 2 s iterations were still falling on both sides (warm-up, first, second iteration): a raw Lettuce
     * async set 269, 156, 99 us; a Cachekit PostgreSQL get at two threads 294, 188, 127 us; Cachekit's Memcached
     * async get 155, 94, 63 us against raw xmemcached's 82, 42, 31. The deeper side was still further from its
     * steady speed, so the ratios measured warm-up: in one fork of six 2 s iterations after 4 s, that async get
     * took 71, 55, 53, 58, 51 us and the raw one 82, 44, 38, 40, 40. Hence 12 s there. MongoDB, since its server
     * runs in a JVM of its own (warm across the forks, but no longer compiling inside them), warms its client more
     * slowly than with the server in the fork: in consecutive 2 s iterations of one JVM, with the server warm,
     * Cachekit's async get took 766, 363, 304, 229, 210, 185, 156, 145, 124, 90, 87, 84, 67, 59 us and the raw
     * driver's 572, 304, 198, 161, 150, 151, 132, 97, 83, 86, 80, 79, 74, 69 (eight threads on two cores leave
     * the compiler little time). After 12 s of warm-up that row measured 0.58, 0.68 and 0.51 of raw over three
     * rounds, the deeper side further from its steady speed; after 30 s 0.91, 1.04 and 0.94. Hence 30 s there.
     */
    static String defaultWarmupTime(String group) {
        return switch (group) {
            case "memory" -> "1s"; // tens of millions of calls a second
            case "redis", "postgres", "memcached" -> "12s";
            case "mongodb" -> "30s"; // its client, with eight executor threads, compiles slowly on two cores
            case "firestore" -> "20s"; // the emulator, restarted before each run, compiles during it too
            case "dynamodb" -> "30s"; // the SDK's deeper stack, with two request types on Cachekit's side
            default -> "30s"; // http: Tomcat, the filter and the JDK's HTTP client to compile
        };
    }

    /**
     * The time of each measurement iteration: 3 s for in-memory rows, because this machine's speed swings in
     * spells of seconds (twenty consecutive 1 s iterations of Caffeine's size-only {@code getIfPresent} in one
     * fork: 33 to 37 ops/us for four, 54 to 61 for five, then 33 to 41 for seven, then 43 to 61), so two 1 s
     * iterations measured a spell rather than the code; 2 s for remote ones, whose one-second
     * iterations of the same Redis get at two threads ranged from 112 to 159 us in one fork; and 5 s for http,
     * whose four client threads share the two cores of the machine this runs on with the server: over 1 s, three
     * rounds of the plain 1 KB endpoint measured 397, 451 and 556 us.
     */
    static String defaultMeasurementTime(String group) {
        return switch (group) {
            case "memory" -> "3s";
            case "http" -> "5s";
            default -> "2s";
        };
    }

    /** Whether the group's servers run outside the forks, so that a first, unrecorded run warms them. */
    private static boolean hasOwnServers(String group) {
        return switch (group) {
            case "redis", "postgres", "memcached", "mongodb", "dynamodb", "firestore" -> true;
            default -> false; // memory: none; http: started in every fork
        };
    }

    private final Map<String, String> options;
    private final String group;
    private final int rounds;
    private final List<Integer> threads;
    private final int forks;
    private final int warmupIterations;
    private final TimeValue warmupTime;
    private final int iterations;
    private final TimeValue time;
    private final Pattern only;
    private final Path logDir;
    private final long lockWaitSeconds;
    private final String beforeEachRun; // null: none

    private RoundRunner(Map<String, String> options) {
        this.options = options;
        this.group = CommandOptions.require(options, "group");
        this.rounds = Integer.parseInt(options.getOrDefault("rounds", "3"));
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds must be at least 1");
        }
        this.threads = RunnerArguments.parseThreads(options.getOrDefault("threads", "1,2"));
        this.forks = Integer.parseInt(options.getOrDefault("forks", "1"));
        this.warmupIterations = Integer.parseInt(options.getOrDefault("warmup-iterations", "1"));
        this.warmupTime = TimeValue.fromString(options.getOrDefault("warmup-time", defaultWarmupTime(group)));
        this.iterations = Integer.parseInt(options.getOrDefault("iterations", "2"));
        this.time = TimeValue.fromString(options.getOrDefault("time", defaultMeasurementTime(group)));
        this.only = options.containsKey("only") ? Pattern.compile(options.get("only")) : null;
        this.logDir = Path.of(options.getOrDefault("log-dir", "cachekit-benchmarks/target/bench-logs"));
        this.lockWaitSeconds = Long.parseLong(options.getOrDefault("lock-wait-seconds", "1800"));
        this.beforeEachRun = options.get("before-each-run");
    }

    public static void main(String[] args) throws Exception {
        boolean planOnly = false;
        List<String> rest = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("--plan")) {
                planOnly = true;
            } else {
                rest.add(arg);
            }
        }
        RoundRunner runner = new RoundRunner(RunnerArguments.parse(rest.toArray(new String[0])));
        List<Step> steps = runner.steps();
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("Nothing to run in group " + runner.group
                    + (runner.only != null ? " matching --only " + runner.only : ""));
        }
        System.err.printf(
                Locale.ROOT,
                "RoundRunner: group %s, %d runs (%d round(s), threads %s), about %.0f min%n",
                runner.group,
                steps.size(),
                runner.rounds,
                threadsOf(steps),
                runner.estimateSeconds(steps) / 60);
        if (planOnly) {
            steps.forEach(step -> System.out.println(step));
            return;
        }
        runner.run(steps, Path.of(CommandOptions.require(runner.options, "out")));
    }

    // ---------------------------------------------------------------- the plan

    /** How many runs a group makes with the default settings, and about how long they take. */
    public record Estimate(int runs, double seconds) {}

    /** The estimate of {@code group} with the default settings (3 rounds, threads 1 and 2, 1 fork per run). */
    public static Estimate estimate(String group) {
        RoundRunner runner = new RoundRunner(Map.of("group", group));
        List<Step> steps = runner.steps();
        return new Estimate(steps.size(), runner.estimateSeconds(steps));
    }

    /** One JMH run of one row, or one heap measurement of one configuration. */
    record Step(
            GroupPlan.Block block, String method, MemoryPerEntry.Config config, int threads, int round, int position) {
        @Override
        public String toString() {
            return config != null
                    ? String.format(Locale.ROOT, "round %d  heap per entry  %s", round, config.name())
                    : String.format(Locale.ROOT, "round %d  t=%d  %s  %s", round, threads, block.id(), method);
        }
    }

    /**
     * Every step, in order: comparison after comparison, each at each of its thread counts, its rounds one after
     * the other, the rows of odd rounds in the declared order and those of even rounds reversed.
     */
    List<Step> steps() {
        List<Step> steps = new ArrayList<>();
        for (GroupPlan.Block block : GroupPlan.of(group).blocks()) {
            if (only != null && !only.matcher(block.id()).find()) {
                continue;
            }
            for (int t : block.threads(threads)) {
                for (int round = 1; round <= rounds; round++) {
                    List<String> order = new ArrayList<>(block.rows());
                    if (round % 2 == 0) {
                        java.util.Collections.reverse(order);
                    }
                    for (int i = 0; i < order.size(); i++) {
                        steps.add(new Step(block, order.get(i), null, t, round, i));
                    }
                }
            }
        }
        if (group.equals("memory")
                && (only == null || only.matcher("MemoryPerEntry").find())) {
            for (List<MemoryPerEntry.Config> pair : MemoryPerEntry.Config.comparisons()) {
                for (int round = 1; round <= rounds; round++) {
                    List<MemoryPerEntry.Config> order = new ArrayList<>(pair);
                    if (round % 2 == 0) {
                        java.util.Collections.reverse(order);
                    }
                    for (int i = 0; i < order.size(); i++) {
                        steps.add(new Step(null, null, order.get(i), 1, round, i));
                    }
                }
            }
        }
        return steps;
    }

    /** The thread counts the JMH runs of {@code steps} use: the run's list, or those the comparisons fix. */
    static List<Integer> threadsOf(List<Step> steps) {
        return steps.stream()
                .filter(step -> step.config() == null)
                .map(Step::threads)
                .distinct()
                .sorted()
                .toList();
    }

    double estimateSeconds(List<Step> steps) {
        double perRun = forks
                * (forkOverheadSeconds(group) + warmupIterations * seconds(warmupTime) + iterations * seconds(time));
        double total = serverWarmUp(steps) != null ? perRun : 0;
        for (Step step : steps) {
            total += step.config() != null ? step.config().estimatedSeconds() : perRun;
        }
        return total;
    }

    /** The run that warms the group's servers before the recorded ones (the first JMH run), or null. */
    private Step serverWarmUp(List<Step> steps) {
        if (!hasOwnServers(group) || beforeEachRun != null) {
            return null;
        }
        return steps.stream().filter(step -> step.config() == null).findFirst().orElse(null);
    }

    private static double seconds(TimeValue value) {
        return value.convertTo(java.util.concurrent.TimeUnit.NANOSECONDS) / 1e9;
    }

    // ---------------------------------------------------------------- running

    private void run(List<Step> steps, Path out) throws Exception {
        Files.createDirectories(logDir);
        JsonMapper mapper = JsonMapper.builder().build();
        Instant started = Instant.now();
        String loadBefore = options.getOrDefault(
                "load-before", MachineInfo.currentLoadAverage().orElse(""));
        List<RunRecord> runs = new ArrayList<>();
        List<MemoryRecord> memory = new ArrayList<>();
        String jdk = System.getProperty("java.vm.version") + " (" + System.getProperty("java.vm.name") + ", "
                + System.getProperty("java.vendor") + ")";
        Step warmUp = serverWarmUp(steps);
        if (warmUp != null) {
            long t0 = System.nanoTime();
            runJmh(warmUp, oneMinuteLoad(), 0);
            System.err.printf(
                    Locale.ROOT,
                    "[warm-up of the servers, not recorded] %s  (%.0f s)%n",
                    warmUp,
                    (System.nanoTime() - t0) / 1e9);
        }
        int n = 0;
        for (Step step : steps) {
            n++;
            double load = oneMinuteLoad();
            long t0 = System.nanoTime();
            String outcome;
            if (step.config() != null) {
                MemoryRecord record = MemoryPerEntry.measureInChildJvm(step.config(), step.round(), step.position());
                memory.add(record);
                outcome = String.format(
                        Locale.ROOT,
                        "%.1f bytes/entry, %.1f after expiry",
                        record.bytesPerEntry(),
                        record.expiredBytesPerEntry());
            } else {
                RunRecord record = runJmh(step, load, n);
                runs.add(record);
                outcome = String.format(Locale.ROOT, "%.4g %s", record.score(), record.unit())
                        + (Double.isNaN(record.p99())
                                ? ""
                                : String.format(Locale.ROOT, " (p50 %.4g, p99 %.4g)", record.p50(), record.p99()));
            }
            System.err.printf(
                    Locale.ROOT,
                    "[%d/%d] %s: %s  (%.0f s, load %.2f)%n",
                    n,
                    steps.size(),
                    step,
                    outcome,
                    (System.nanoTime() - t0) / 1e9,
                    load);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("rounds", Integer.toString(rounds));
        settings.put("threads", threadsOf(steps).toString().replaceAll("[\\[\\] ]", ""));
        settings.put("forks per run", Integer.toString(forks));
        settings.put("warm-up", warmupIterations + " x " + warmupTime);
        if (warmUp != null) {
            settings.put("servers warmed by", "one unrecorded run of the first row before the rounds");
        }
        if (beforeEachRun != null) {
            settings.put("before each run", beforeEachRun);
        }
        settings.put("measurement", iterations + " x " + time);
        if (only != null) {
            settings.put("only", only.pattern());
        }
        GroupResults results = new GroupResults(
                group,
                started,
                Instant.now(),
                options.getOrDefault("command", "scripts/bench.sh " + group),
                options.getOrDefault("revision", "unknown"),
                options.getOrDefault("code-tree", ""),
                options.getOrDefault("note", ""),
                MachineInfo.current(),
                jdk,
                loadBefore,
                MachineInfo.currentLoadAverage().orElse(""),
                settings,
                runs,
                memory);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        results.write(mapper, out);
        System.err.println("RoundRunner: wrote " + out + " after "
                + Duration.between(started, Instant.now()).toMinutes() + " min");
    }

    private RunRecord runJmh(Step step, double load, int n) throws RunnerException, InterruptedException {
        String benchmark = step.block().benchmark(step.method());
        String runName =
                String.format(Locale.ROOT, "%s-%03d-%s-t%d-r%d", group, n, step.method(), step.threads(), step.round());
        Path log = logDir.resolve(runName + ".log");
        runBeforeEachRun(logDir.resolve(runName + ".before.log"));
        ChainedOptionsBuilder builder = new OptionsBuilder()
                .include("^" + Pattern.quote(benchmark) + "$")
                .forks(forks)
                .warmupIterations(warmupIterations)
                .warmupTime(warmupTime)
                .measurementIterations(iterations)
                .measurementTime(time)
                .threads(step.threads())
                // The clients' INFO logs (connections, reactors) would drown the progress lines.
                .jvmArgsPrepend("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
                .shouldFailOnError(true)
                .output(log.toString());
        Collection<RunResult> results = runWaitingForLock(builder, log);
        if (results.size() != 1) {
            throw new IllegalStateException(
                    "Expected one result of " + benchmark + ", got " + results.size() + "; see " + log);
        }
        RunResult result = results.iterator().next();
        Result<?> primary = result.getPrimaryResult();
        Statistics stats = primary.getStatistics();
        String mode = result.getParams().getMode().shortLabel();
        boolean sample = mode.equals("sample");
        Map<String, Double> secondary = new TreeMap<>();
        // SampleTime lists its percentiles (p0.50, p0.99, ...) as secondary results: kept as p50 and p99 above.
        result.getSecondaryResults().forEach((name, value) -> {
            if (!name.matches("p[01]\\.[0-9]+")) {
                secondary.put(name, value.getScore());
            }
        });
        return new RunRecord(
                step.block().id(),
                step.method(),
                step.threads(),
                step.round(),
                step.position(),
                mode,
                primary.getScore(),
                primary.getScoreError(),
                primary.getScoreUnit(),
                sample ? stats.getPercentile(50) : Double.NaN,
                sample ? stats.getPercentile(99) : Double.NaN,
                load,
                secondary);
    }

    /** Runs {@code --before-each-run}, if given, with bash; its output goes to {@code log}. */
    private void runBeforeEachRun(Path log) throws InterruptedException {
        if (beforeEachRun == null) {
            return;
        }
        try {
            Process process = new ProcessBuilder("bash", "-c", beforeEachRun)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (process.waitFor() != 0) {
                throw new IllegalStateException("--before-each-run failed (exit " + process.exitValue() + "): "
                        + beforeEachRun + "; see " + log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start --before-each-run: " + beforeEachRun, e);
        }
    }

    /** JMH refuses to run while another JMH run holds its lock: two runs on one machine spoil each other. */
    private Collection<RunResult> runWaitingForLock(ChainedOptionsBuilder builder, Path log)
            throws RunnerException, InterruptedException {
        long deadline = System.nanoTime() + lockWaitSeconds * 1_000_000_000L;
        while (true) {
            try {
                return new Runner(builder.build()).run();
            } catch (RunnerException e) {
                String text = e.getMessage() + " " + readQuietly(log);
                if (!text.contains("JMH lock") || System.nanoTime() > deadline) {
                    throw new RunnerException("JMH failed; see " + log, e);
                }
                System.err.println("RoundRunner: another JMH run holds the JMH lock; waiting for it");
                Thread.sleep(15_000);
            }
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static double oneMinuteLoad() {
        return MachineInfo.currentLoadAverage()
                .map(s -> Double.parseDouble(s.split(" ")[0]))
                .orElse(Double.NaN);
    }
}
