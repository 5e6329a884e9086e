package io.cachekit.benchmarks.report;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One measurement of heap bytes per cached entry: one cache configuration, filled in a JVM of its own.
 *
 * @param config the configuration ({@link io.cachekit.benchmarks.memory.MemoryPerEntry.Config} name)
 * @param round the round, from 1
 * @param position where in the round it ran, from 0
 * @param entries how many entries the cache held
 * @param bytesPerEntry heap bytes the cache retained per entry after a full GC, beyond the keys and values
 * @param expiredBytesPerEntry heap bytes per entry still retained after every entry expired and other keys were
 *     written; NaN for configurations without expiry
 * @param heldAfterExpiry how many entries the cache still held then (the later writes included); -1 without expiry
 */
public record MemoryRecord(
        String config,
        int round,
        int position,
        int entries,
        double bytesPerEntry,
        double expiredBytesPerEntry,
        long heldAfterExpiry) {

    void write(ObjectNode node) {
        node.put("config", config);
        node.put("round", round);
        node.put("position", position);
        node.put("entries", entries);
        RunRecord.putNumber(node, "bytesPerEntry", bytesPerEntry);
        RunRecord.putNumber(node, "expiredBytesPerEntry", expiredBytesPerEntry);
        node.put("heldAfterExpiry", heldAfterExpiry);
    }

    static MemoryRecord read(JsonNode node) {
        return new MemoryRecord(
                node.path("config").asString(),
                node.path("round").asInt(),
                node.path("position").asInt(),
                node.path("entries").asInt(),
                RunRecord.number(node.path("bytesPerEntry")),
                RunRecord.number(node.path("expiredBytesPerEntry")),
                node.path("heldAfterExpiry").asLong(-1));
    }
}
