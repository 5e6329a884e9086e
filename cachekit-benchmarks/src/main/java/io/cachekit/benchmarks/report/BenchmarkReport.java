package io.cachekit.benchmarks.report;

import io.cachekit.benchmarks.CommandOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes {@code docs/benchmarks.md} from the group files under {@code docs/benchmarks/}, showing only groups that
 * measured one and the same code. {@code scripts/bench.sh} runs it after {@link
 * io.cachekit.benchmarks.run.RoundRunner}.
 *
 * <pre>
 * BenchmarkReport render --dir docs/benchmarks --page docs/benchmarks.md [--code-tree TREE]
 * BenchmarkReport stale --dir docs/benchmarks --code-tree TREE
 * </pre>
 *
 * {@code render} shows the groups recorded at {@code TREE} (by default the code of the most recently recorded
 * group) and lists the others as not shown. {@code stale} prints, one per line, the groups whose files were
 * recorded at other code than {@code TREE}.
 */
public final class BenchmarkReport {
    private static final Set<String> OPTIONS = Set.of("dir", "page", "code-tree");

    private final JsonMapper mapper = JsonMapper.builder().build();

    private BenchmarkReport() {}

    public static void main(String[] args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("Usage: BenchmarkReport render|stale --option value ...");
        }
        BenchmarkReport report = new BenchmarkReport();
        Map<String, String> options = CommandOptions.parse(args, 1, OPTIONS);
        Path dir = Path.of(CommandOptions.require(options, "dir"));
        switch (args[0]) {
            case "render" ->
                System.out.println(
                        report.render(dir, Path.of(CommandOptions.require(options, "page")), options.get("code-tree")));
            case "stale" ->
                report.split(dir, CommandOptions.require(options, "code-tree"))
                        .stale()
                        .forEach(s -> System.out.println(s.group()));
            default -> throw new IllegalArgumentException("Unknown command " + args[0] + "; use render or stale");
        }
    }

    /** The groups recorded at {@code codeTree} (null: the most recent group's), and the others. */
    ReportPage.Input split(Path dir, String codeTree) {
        List<GroupResults> groups = new ArrayList<>();
        List<ReportPage.Stale> stale = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
                for (Path file : files) {
                    String name = file.getFileName().toString().replaceFirst("\\.json$", "");
                    try {
                        groups.add(GroupResults.read(mapper, file));
                    } catch (IllegalArgumentException | JacksonException e) {
                        stale.add(new ReportPage.Stale(name, "", "recorded by an older runner, without rounds"));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        String tree = codeTree;
        if (tree == null || tree.isEmpty()) {
            tree = groups.stream()
                    .max(Comparator.comparing(GroupResults::finishedAt))
                    .map(GroupResults::codeTree)
                    .orElse("");
        }
        List<GroupResults> shown = new ArrayList<>();
        for (GroupResults group : groups) {
            if (!group.codeTree().isEmpty() && group.codeTree().equals(tree)) {
                shown.add(group);
            } else {
                stale.add(new ReportPage.Stale(group.group(), group.revision(), "measured other code"));
            }
        }
        stale.sort(Comparator.comparing(ReportPage.Stale::group));
        return new ReportPage.Input(shown, stale);
    }

    /** Renders the page and returns a one-line summary of the verdicts. */
    private String render(Path dir, Path page, String codeTree) {
        ReportPage.Input input = split(dir, codeTree);
        ReportPage renderer = new ReportPage();
        try {
            Path parent = page.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(page, renderer.render(input), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<TargetChecks.Verdict, Integer> counts = new HashMap<>();
        for (TargetChecks.TargetCheck check : TargetChecks.of(input.shown())) {
            check.verdicts().forEach(v -> counts.merge(v, 1, Integer::sum));
        }
        return "Wrote " + page + ": " + input.shown().size() + " group(s) shown, "
                + input.stale().size()
                + " not shown; targets: " + counts.getOrDefault(TargetChecks.Verdict.HOLDS, 0) + " hold, "
                + counts.getOrDefault(TargetChecks.Verdict.MISSES, 0) + " miss, "
                + counts.getOrDefault(TargetChecks.Verdict.INCONCLUSIVE, 0) + " inconclusive, "
                + counts.getOrDefault(TargetChecks.Verdict.NOT_MEASURED, 0) + " not measured";
    }
}
