package io.cachekit.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a benchmark page says about the machine a group ran on: read from {@code /proc} and {@code
 * /etc/os-release} where the system has them, and from the JVM's properties otherwise.
 *
 * @param cpu the CPU model
 * @param cores the logical processors the OS shows
 * @param memory total memory, in words such as {@code 23.4 GiB}
 * @param os the distribution, kernel and architecture
 * @param loadAverage the 1, 5 and 15 minute load averages when this was read, or empty where unknown
 */
public record MachineInfo(String cpu, int cores, String memory, String os, String loadAverage) {

    private static final String UNKNOWN = "unknown";

    /** Describes the machine this JVM runs on, now. */
    public static MachineInfo current() {
        List<String> cpuinfo = lines(Path.of("/proc/cpuinfo"));
        String cpu = cpuinfo.stream()
                .filter(l -> l.startsWith("model name"))
                .map(MachineInfo::valueAfterColon)
                .findFirst()
                .orElse(System.getProperty("os.arch", UNKNOWN));
        long processors =
                cpuinfo.stream().filter(l -> l.startsWith("processor")).count();
        int cores = processors > 0 ? (int) processors : Runtime.getRuntime().availableProcessors();
        String memory = lines(Path.of("/proc/meminfo")).stream()
                .filter(l -> l.startsWith("MemTotal:"))
                .map(MachineInfo::valueAfterColon)
                .map(MachineInfo::kibibytesToGibibytes)
                .findFirst()
                .orElse(UNKNOWN);
        String distribution = lines(Path.of("/etc/os-release")).stream()
                .filter(l -> l.startsWith("PRETTY_NAME="))
                .map(l -> l.substring("PRETTY_NAME=".length()).replace("\"", ""))
                .findFirst()
                .map(name -> name + ", ")
                .orElse("");
        String os = distribution + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch");
        return new MachineInfo(cpu, cores, memory, os, currentLoadAverage().orElse(""));
    }

    /** The 1, 5 and 15 minute load averages, where the system shows them. */
    public static Optional<String> currentLoadAverage() {
        List<String> loadavg = lines(Path.of("/proc/loadavg"));
        if (loadavg.isEmpty()) {
            return Optional.empty();
        }
        String[] fields = loadavg.get(0).trim().split("\\s+");
        return fields.length < 3 ? Optional.empty() : Optional.of(fields[0] + " " + fields[1] + " " + fields[2]);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return List.of(); // not Linux, or not readable: the field falls back
        }
    }

    private static String valueAfterColon(String line) {
        return line.substring(line.indexOf(':') + 1).trim();
    }

    private static String kibibytesToGibibytes(String meminfoValue) {
        String number = meminfoValue.replace("kB", "").trim();
        try {
            return String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(number) / (1024.0 * 1024.0));
        } catch (NumberFormatException e) {
            return meminfoValue;
        }
    }
}
