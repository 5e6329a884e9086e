package io.cachekit.dynamodb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The item layout without a server: keys, shards, liveness and sizes. */
class ItemLayoutTest {

    @Test
    void entryKeysAreReadableWhenTheyCanBeAndDigestsOtherwise() {
        assertThat(ItemLayout.entryKey("app", "user:42 ✓")).isEqualTo("app:user:42 ✓");
        String maxReadable = "k".repeat(ItemLayout.MAX_PARTITION_KEY_BYTES - "app:".length());
        assertThat(ItemLayout.entryKey("app", maxReadable)).isEqualTo("app:" + maxReadable);
        assertThat(ItemLayout.entryKey("app", maxReadable + "k")).startsWith("app#");
        assertThat(ItemLayout.entryKey("app", "é".repeat(1023))).startsWith("app#"); // 2046 bytes + "app:"
        for (String unreadable : List.of("tab\t", "nul\u0000", "\uD800", "del\u007F", "c1\u0085")) {
            assertThat(ItemLayout.entryKey("app", unreadable)).as(unreadable).startsWith("app#");
        }
        assertThat(ItemLayout.entryKey("app", "x".repeat(5000)))
                .isEqualTo(ItemLayout.entryKey("app", "x".repeat(5000)))
                .isNotEqualTo(ItemLayout.entryKey("app", "x".repeat(4999) + "y"));
    }

    @Test
    void generationKeysNeverMeetEntryKeysOrOtherNamespaces() {
        Set<String> keys = new HashSet<>();
        for (String ns : List.of("a", "a!0", "a-0", "app/ns", "app")) {
            for (int shard = 0; shard < ItemLayout.GENERATION_SHARDS; shard++) {
                assertThat(keys.add(ItemLayout.generationKey(ns, shard))).isTrue();
            }
            for (String key : List.of("", "0", "!0", "k")) {
                assertThat(keys.add(ItemLayout.entryKey(ns, key)))
                        .as("%s %s", ns, key)
                        .isTrue();
            }
        }
    }

    @Test
    void entriesSpreadOverEveryShard() {
        int[] perShard = new int[ItemLayout.GENERATION_SHARDS];
        for (int i = 0; i < 8000; i++) {
            perShard[ItemLayout.shard(ItemLayout.entryKey("app", "key-" + i))]++;
        }
        for (int count : perShard) {
            assertThat(count).isBetween(800, 1200);
        }
    }

    @Test
    void anEntryIsLiveOnlyInItsGenerationAndBeforeItsExpiry() {
        Instant now = Instant.ofEpochMilli(1_000_000);
        byte[] value = "v".getBytes(StandardCharsets.UTF_8);
        Map<String, AttributeValue> item = ItemLayout.entryItem("app:k", value, 3, Duration.ofSeconds(10), now, null);
        assertThat(ItemLayout.liveValue(item, 3, now.toEpochMilli())).isEqualTo(value);
        assertThat(ItemLayout.liveValue(item, 3, now.toEpochMilli() + 9_999)).isEqualTo(value);
        assertThat(ItemLayout.liveValue(item, 3, now.toEpochMilli() + 10_000)).isNull();
        assertThat(ItemLayout.liveValue(item, 4, now.toEpochMilli()))
                .as("after a clear")
                .isNull();
        assertThat(ItemLayout.liveValue(null, 0, 0)).isNull();
        assertThat(ItemLayout.liveValue(Map.of(), 0, 0)).isNull();

        Map<String, AttributeValue> forever = ItemLayout.entryItem("app:k", value, 0, null, now, null);
        assertThat(forever).doesNotContainKeys(ItemLayout.EXPIRES_AT, ItemLayout.TTL);
        assertThat(ItemLayout.liveValue(forever, 0, Long.MAX_VALUE)).isEqualTo(value);
        Map<String, AttributeValue> longest =
                ItemLayout.entryItem("app:k", value, 0, ItemLayout.LONGEST_TTL, now, null);
        assertThat(longest).as("absurdly long TTLs never expire").doesNotContainKey(ItemLayout.TTL);

        assertThat(ItemLayout.generationOf(null)).isZero();
        assertThat(ItemLayout.generationOf(Map.of(ItemLayout.GENERATION, AttributeValue.fromN("7"))))
                .isEqualTo(7);
    }

    @Test
    void aConditionalWriteIsBlockedOnlyByALiveEntryOrOneOfANewerGeneration() {
        Instant now = Instant.ofEpochMilli(1_000_000);
        long at = now.toEpochMilli();
        byte[] value = "v".getBytes(StandardCharsets.UTF_8);
        Map<String, AttributeValue> item = ItemLayout.entryItem("app:k", value, 3, Duration.ofSeconds(10), now, null);

        assertThat(ItemLayout.blockingValue(null, 3, at)).as("absent").isNull();
        assertThat(ItemLayout.blockingValue(Map.of(), 3, at)).as("absent").isNull();
        assertThat(ItemLayout.blockingValue(item, 3, at)).as("live").isEqualTo(value);
        assertThat(ItemLayout.blockingValue(item, 3, at + 9_999)).as("live").isEqualTo(value);
        assertThat(ItemLayout.blockingValue(item, 3, at + 10_000))
                .as("expired at its expiry, as a read sees it")
                .isNull();
        assertThat(ItemLayout.blockingValue(item, 4, at))
                .as("of a generation a clear has passed")
                .isNull();
        assertThat(ItemLayout.blockingValue(item, 2, at))
                .as("written after a clear the writer had not seen")
                .isEqualTo(value);
        assertThat(ItemLayout.blockingValue(
                        ItemLayout.entryItem("app:k", value, 0, null, now, null), 0, Long.MAX_VALUE))
                .as("never expires")
                .isEqualTo(value);

        Map<String, AttributeValue> withoutValue = new java.util.HashMap<>(item);
        withoutValue.remove(ItemLayout.VALUE);
        assertThat(ItemLayout.blockingValue(withoutValue, 3, at)).isNull();
        Map<String, AttributeValue> withoutGeneration = new java.util.HashMap<>(item);
        withoutGeneration.remove(ItemLayout.GENERATION);
        assertThat(ItemLayout.blockingValue(withoutGeneration, 3, at)).isNull();
        Map<String, AttributeValue> foreignValue = new java.util.HashMap<>(item);
        foreignValue.put(ItemLayout.VALUE, AttributeValue.fromS("text"));
        assertThat(ItemLayout.blockingValue(foreignValue, 3, at))
                .as("a value that is no envelope blocks as bytes Cachekit removes as corrupt")
                .isEmpty();

        assertThat(ItemLayout.WRITABLE_CONDITION_NAMES.keySet())
                .allSatisfy(name -> assertThat(ItemLayout.WRITABLE_CONDITION).contains(name));
        assertThat(ItemLayout.writableConditionValues(3, at).keySet())
                .allSatisfy(name -> assertThat(ItemLayout.WRITABLE_CONDITION).contains(name));
    }

    @Test
    void theSizeBoundCoversEveryAttribute() {
        assertThat(ItemLayout.entryItemSize("app:k", 100)).isEqualTo(2 + 5 + 1 + 100 + 1 + 21 + 3 + 21 + 3 + 21);
        assertThat(ItemLayout.entryItemSize("app:é", 0)).isEqualTo(ItemLayout.entryItemSize("app:ab", 0));
    }
}
