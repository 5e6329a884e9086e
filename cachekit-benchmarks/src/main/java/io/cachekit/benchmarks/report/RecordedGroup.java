package io.cachekit.benchmarks.report;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The last run of one benchmark group, as kept in {@code docs/benchmarks/GROUP.json}: JMH's results as JMH
 * wrote them, with when, where and how they were produced. The page is rendered from these files, so a run
 * of one group leaves the other groups' sections as they were.
 *
 * @param group the group: the package under {@code io.cachekit.benchmarks}
 * @param date when the results were recorded
 * @param command the command that reruns the group
 * @param jmhCommand the JMH command line the script ran
 * @param revision the source revision that was measured, as {@code git describe} gives it
 * @param note free text about the run (for instance other work sharing the machine); may be empty
 * @param machine the machine the group ran on
 * @param loadBefore the load averages just before JMH started; may be empty
 * @param loadAfter the load averages when the results were recorded; may be empty
 * @param results JMH's results
 */
public record RecordedGroup(
        String group,
        Instant date,
        String command,
        String jmhCommand,
        String revision,
        String note,
        MachineInfo machine,
        String loadBefore,
        String loadAfter,
        List<JmhResult> results) {

    /** The file of {@code group} in {@code dir}. */
    public static Path file(Path dir, String group) {
        return dir.resolve(group + ".json");
    }

    /**
     * Writes the file of a group from JMH's JSON results and what this JVM sees of the machine now.
     *
     * @param jmhResults the array JMH wrote with {@code -rf json}
     */
    public static void write(
            JsonMapper mapper,
            Path file,
            String group,
            JsonNode jmhResults,
            String command,
            String jmhCommand,
            String revision,
            String note,
            String loadBefore) {
        if (!jmhResults.isArray() || jmhResults.isEmpty()) {
            throw new IllegalArgumentException("No JMH results to record for group " + group);
        }
        MachineInfo machine = MachineInfo.current();
        ObjectNode root = mapper.createObjectNode();
        root.put("group", group);
        root.put("date", Instant.now().toString());
        root.put("command", command);
        root.put("jmhCommand", jmhCommand);
        root.put("revision", revision);
        root.put("note", note);
        ObjectNode machineNode = root.putObject("machine");
        machineNode.put("cpu", machine.cpu());
        machineNode.put("cores", machine.cores());
        machineNode.put("memory", machine.memory());
        machineNode.put("os", machine.os());
        ObjectNode load = root.putObject("loadAverage");
        load.put("before", loadBefore);
        load.put("after", machine.loadAverage());
        root.set("jmh", jmhResults);
        mapper.writerWithDefaultPrettyPrinter().writeValue(file, root);
    }

    /** Reads a file written by {@link #write}. */
    public static RecordedGroup read(JsonMapper mapper, Path file) {
        JsonNode root = mapper.readTree(file);
        JsonNode machineNode = root.path("machine");
        MachineInfo machine = new MachineInfo(
                machineNode.path("cpu").asString(),
                machineNode.path("cores").asInt(),
                machineNode.path("memory").asString(),
                machineNode.path("os").asString(),
                root.path("loadAverage").path("after").asString());
        List<JmhResult> results = new ArrayList<>();
        JsonNode jmh = root.path("jmh");
        if (jmh instanceof ArrayNode array) {
            for (JsonNode result : array.values()) {
                results.add(JmhResult.of(result));
            }
        }
        return new RecordedGroup(
                root.path("group").asString(),
                Instant.parse(root.path("date").asString()),
                root.path("command").asString(),
                root.path("jmhCommand").asString(),
                root.path("revision").asString(),
                root.path("note").asString(),
                machine,
                root.path("loadAverage").path("before").asString(),
                root.path("loadAverage").path("after").asString(),
                results);
    }
}
