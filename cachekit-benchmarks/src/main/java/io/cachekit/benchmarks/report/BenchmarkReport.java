package io.cachekit.benchmarks.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes {@code docs/benchmarks.md}: records one group's JMH results under {@code docs/benchmarks/}, and
 * renders the page from every group recorded there. {@code scripts/bench.sh} runs it after JMH.
 *
 * <pre>
 * BenchmarkReport record --group memory --results jmh.json --dir docs/benchmarks
 *         [--command "scripts/bench.sh memory"] [--jmh-command "java -jar ..."] [--revision abc123]
 *         [--note "..."] [--load-before "0.10 0.20 0.30"]
 * BenchmarkReport render --dir docs/benchmarks --page docs/benchmarks.md
 * </pre>
 */
public final class BenchmarkReport {
    private static final Set<String> RECORD_OPTIONS =
            Set.of("group", "results", "dir", "command", "jmh-command", "revision", "note", "load-before");
    private static final Set<String> RENDER_OPTIONS = Set.of("dir", "page");

    private final JsonMapper mapper = JsonMapper.builder().build();

    private BenchmarkReport() {}

    /** Runs {@code record} or {@code render}; prints one line saying what it wrote. */
    public static void main(String[] args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("Usage: BenchmarkReport record|render --option value ...");
        }
        BenchmarkReport report = new BenchmarkReport();
        switch (args[0]) {
            case "record" -> {
                Map<String, String> options = options(args, RECORD_OPTIONS);
                Path file = report.record(options);
                System.out.println("Recorded " + options.get("group") + " results in " + file);
            }
            case "render" -> {
                Map<String, String> options = options(args, RENDER_OPTIONS);
                System.out.println(report.render(Path.of(require(options, "dir")), Path.of(require(options, "page"))));
            }
            default -> throw new IllegalArgumentException("Unknown command " + args[0] + "; use record or render");
        }
    }

    private Path record(Map<String, String> options) {
        String group = require(options, "group");
        if (!group.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("A group is a lower-case package name, got " + group);
        }
        Path dir = Path.of(require(options, "dir"));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path file = RecordedGroup.file(dir, group);
        RecordedGroup.write(
                mapper,
                file,
                group,
                mapper.readTree(Path.of(require(options, "results"))),
                options.getOrDefault("command", ""),
                options.getOrDefault("jmh-command", ""),
                options.getOrDefault("revision", "unknown"),
                options.getOrDefault("note", ""),
                options.getOrDefault("load-before", ""));
        return file;
    }

    /** Renders the page and returns a one-line summary of the targets. */
    private String render(Path dir, Path page) {
        List<RecordedGroup> groups = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
                for (Path file : files) {
                    groups.add(RecordedGroup.read(mapper, file));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        ReportPage renderer = new ReportPage(BenchmarkReport.class.getClassLoader());
        try {
            Path parent = page.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(page, renderer.render(groups), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<ReportPage.TargetCheck> checks = renderer.checks(groups);
        long measured = checks.stream()
                .filter(c -> c.verdict() != ReportPage.Verdict.NOT_MEASURED)
                .count();
        long holding = checks.stream().filter(c -> c.verdict().holdsAtMean()).count();
        return "Wrote " + page + ": " + groups.size() + " group(s); " + holding + " of " + measured
                + " measured target(s) hold at the mean, " + (checks.size() - measured) + " not measured";
    }

    private static Map<String, String> options(String[] args, Set<String> allowed) {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("Expected --option value, got " + args[i]);
            }
            String name = args[i].substring(2);
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException("Unknown option --" + name + "; valid: " + allowed);
            }
            options.put(name, args[i + 1]);
        }
        return options;
    }

    private static String require(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("Missing --" + name);
        }
        return value;
    }
}
