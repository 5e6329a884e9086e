package io.cachekit.benchmarks.report;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The last run of one benchmark group, as kept in {@code docs/benchmarks/GROUP.json}: every JMH run of every
 * round, with when, where, at which revision and how they were produced. The page is rendered from these files.
 *
 * @param group the group: the package under {@code io.cachekit.benchmarks}
 * @param startedAt when the first run started
 * @param finishedAt when the last run ended
 * @param command the command that reruns the group
 * @param revision the commit that was measured
 * @param codeTree the git tree of that commit without {@code docs/}: groups with equal trees measured the same
 *     code, whichever commit recorded them
 * @param note free text about the run; may be empty
 * @param machine the machine
 * @param jdk the JDK that ran the forks
 * @param loadBefore the 1, 5 and 15 minute load averages before the first run
 * @param loadAfter the same after the last run
 * @param settings how JMH was run (rounds, threads, forks, iterations), in words, by name
 * @param runs every JMH run
 * @param memory every heap measurement (the memory group only)
 */
public record GroupResults(
        String group,
        Instant startedAt,
        Instant finishedAt,
        String command,
        String revision,
        String codeTree,
        String note,
        MachineInfo machine,
        String jdk,
        String loadBefore,
        String loadAfter,
        Map<String, String> settings,
        List<RunRecord> runs,
        List<MemoryRecord> memory) {

    /** The file of {@code group} in {@code dir}. */
    public static Path file(Path dir, String group) {
        return dir.resolve(group + ".json");
    }

    /** Writes this group's file. */
    public void write(JsonMapper mapper, Path file) {
        ObjectNode root = mapper.createObjectNode();
        root.put("group", group);
        root.put("startedAt", startedAt.toString());
        root.put("finishedAt", finishedAt.toString());
        root.put("command", command);
        root.put("revision", revision);
        root.put("codeTree", codeTree);
        root.put("note", note);
        ObjectNode m = root.putObject("machine");
        m.put("cpu", machine.cpu());
        m.put("cores", machine.cores());
        m.put("memory", machine.memory());
        m.put("os", machine.os());
        root.put("jdk", jdk);
        ObjectNode load = root.putObject("loadAverage");
        load.put("before", loadBefore);
        load.put("after", loadAfter);
        ObjectNode s = root.putObject("settings");
        settings.forEach(s::put);
        ArrayNode r = root.putArray("runs");
        runs.forEach(run -> run.write(r.addObject()));
        ArrayNode mem = root.putArray("memory");
        memory.forEach(record -> record.write(mem.addObject()));
        mapper.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }

    /** Reads a file written by {@link #write}. */
    public static GroupResults read(JsonMapper mapper, Path file) {
        JsonNode root = mapper.readTree(file.toFile());
        if (!root.has("runs")) {
            throw new IllegalArgumentException(file + " is not a result file of the interleaved runner (no \"runs\");"
                    + " rerun its group with scripts/bench.sh");
        }
        JsonNode m = root.path("machine");
        MachineInfo machine = new MachineInfo(
                m.path("cpu").asString(),
                m.path("cores").asInt(),
                m.path("memory").asString(),
                m.path("os").asString(),
                root.path("loadAverage").path("after").asString());
        Map<String, String> settings = new LinkedHashMap<>();
        JsonNode s = root.path("settings");
        for (String name : s.propertyNames()) {
            settings.put(name, s.get(name).asString());
        }
        List<RunRecord> runs = new ArrayList<>();
        for (JsonNode run : root.path("runs").values()) {
            runs.add(RunRecord.read(run));
        }
        List<MemoryRecord> memory = new ArrayList<>();
        for (JsonNode record : root.path("memory").values()) {
            memory.add(MemoryRecord.read(record));
        }
        return new GroupResults(
                root.path("group").asString(),
                Instant.parse(root.path("startedAt").asString()),
                Instant.parse(root.path("finishedAt").asString()),
                root.path("command").asString(),
                root.path("revision").asString(),
                root.path("codeTree").asString(),
                root.path("note").asString(),
                machine,
                root.path("jdk").asString(),
                root.path("loadAverage").path("before").asString(),
                root.path("loadAverage").path("after").asString(),
                settings,
                runs,
                memory);
    }
}
