import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Renders docs/reliability.md from the lines the failure contract wrote to each module's
 * target/reliability/*.tsv. Run by scripts/reliability.sh: java scripts/ReliabilityPage.java OUT CMD REV DATE
 */
public final class ReliabilityPage {
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        String command = args[1];
        String revision = args[2];
        String date = args[3];
        // The last line of a suite and scenario wins: a rerun of one suite replaces its figures.
        Map<String, String[]> rows = new LinkedHashMap<>();
        try (Stream<Path> modules = Files.list(Path.of("."))) {
            for (Path module : modules.sorted().toList()) {
                Path dir = module.resolve("target").resolve("reliability");
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path file : files.sorted().toList()) {
                        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                            if (!line.isBlank()) {
                                String[] row = line.split("\t", -1);
                                rows.put(row[0] + "\t" + row[1], row);
                            }
                        }
                    }
                }
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("# Reliability\n\n");
        md.append("What a cache did while its store failed, as measured by the failure contract of cachekit-tck\n")
                .append("(`CacheBackendFailureContract`) against each backend's real server on this machine. Each\n")
                .append("scenario runs `@Cached` calls (fail-open) from 4 threads over 20 keys with the operation\n")
                .append("timeout of the row (500 ms unless a suite needs more) and the default circuit breaker (opens\n")
                .append("when half of at least 10 recent calls failed, cool-off 5 s), then stops (kills), pauses\n")
                .append("(SIGSTOP) or starts the server.\n\n");
        md.append("Rerun: `").append(command).append("` (revision ").append(revision).append(", ").append(date)
                .append("; ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, servers on the same machine).\n\n");
        md.append("Targets: no failed call; p99 below 2 x the timeout in the first second of a pause;\n")
                .append("p99 below 5 ms once the breaker is open; caching resumes without a restart of the cache.\n\n");
        md.append("| suite | scenario | timeout ms | calls | failed | p50 ms | p99 ms | max ms | recovery ms | target |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (String[] r : rows.values()) {
            md.append("| ").append(String.join(" | ", r)).append(" | ").append(verdict(r)).append(" |\n");
        }
        md.append("\nRecovery is the time from the server answering again to the first successful write and read\n")
                .append("through the cache; after a kill it includes the breaker's cool-off (5 s) when the breaker\n")
                .append("had opened. \"down at creation\" is a cache created while its store was stopped: it answered\n")
                .append("through the real method, then connected by itself.\n");
        Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
    }

    private static String verdict(String[] r) {
        double timeout = Double.parseDouble(r[2]);
        int failed = Integer.parseInt(r[4]);
        double p99 = Double.parseDouble(r[6]);
        String scenario = r[1].toLowerCase(Locale.ROOT);
        if (failed > 0) {
            return "misses (failed calls)";
        }
        if (scenario.contains("breaker open")) {
            return p99 < 5 ? "holds" : "misses";
        }
        if (scenario.contains("first second")) {
            return p99 < 2 * timeout ? "holds" : "misses";
        }
        return "holds (no failed call)";
    }
}
