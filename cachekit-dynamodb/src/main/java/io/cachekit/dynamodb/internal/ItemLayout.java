package io.cachekit.dynamodb.internal;

import io.cachekit.spi.StoredKeys;
import io.cachekit.spi.Ttls;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * How namespaces, keys, values, generations and expiry become DynamoDB items. Not API; stateless and
 * thread-safe.
 *
 * <h2>Items</h2>
 *
 * One table, partition key {@code pk} (a string), no sort key.
 *
 * <ul>
 *   <li>An entry: {@code pk} = {@code namespace:key} when the key is printable and the whole fits DynamoDB's
 *       2048-byte partition-key limit, otherwise {@code namespace#<SHA-256>} ({@link
 *       StoredKeys#readableOrDigest}); {@code v} the value's bytes (binary); {@code g} the generation of the
 *       namespace's shard it was written under; {@code exp} its expiry in epoch milliseconds (absent: never
 *       expires); {@code ttl} the same expiry in epoch seconds, rounded up, for DynamoDB's TTL.
 *   <li>A generation: {@code pk} = {@code namespace!<shard>} ({@link #GENERATION_SHARDS} per namespace),
 *       {@code g} a number that {@code clear} increments. An absent item is generation 0.
 * </ul>
 *
 * Namespaces never contain {@code :}, {@code #} or {@code !}, so an entry's key (which has {@code :} or
 * {@code #} right after the namespace) never equals a generation's, and no two namespaces share a key.
 *
 * <h2>Generations</h2>
 *
 * An entry is live only when its {@code g} equals the current generation of its shard ({@link #shard}, from
 * the entry's partition key). Reads fetch the shard's generation item in the same {@code BatchGetItem} as
 * the entry; {@code clear} increments every shard's generation. Generations only grow, so an entry written
 * under an older one never becomes live again. Spreading a namespace's generation over several items keeps
 * a busy namespace's reads off a single partition key.
 */
public final class ItemLayout {
    /** The partition key attribute (type S). */
    public static final String PK = "pk";
    /** The value attribute (type B). */
    public static final String VALUE = "v";
    /** The generation attribute (type N), on entries and generation items. */
    public static final String GENERATION = "g";
    /** The expiry attribute, epoch milliseconds (type N), absent when the entry never expires. */
    public static final String EXPIRES_AT = "exp";
    /** The attribute DynamoDB's TTL is enabled on: epoch seconds (type N). */
    public static final String TTL = "ttl";

    /** DynamoDB's limit on a partition key's bytes. */
    public static final int MAX_PARTITION_KEY_BYTES = 2048;
    /** DynamoDB's item size limit: 400 KB, attribute names and values included. */
    public static final int MAX_ITEM_BYTES = 400 * 1024;
    /** How many generation items a namespace has; part of the stored layout, so never changed. */
    public static final int GENERATION_SHARDS = 8;
    /** The most items one {@code BatchGetItem} reads. */
    public static final int MAX_BATCH_GET = 100;
    /** The most items one {@code BatchWriteItem} writes. */
    public static final int MAX_BATCH_WRITE = 25;

    /** TTLs this long or longer are stored as never expiring: past what epoch arithmetic needs to hold. */
    public static final Duration LONGEST_TTL = Duration.ofDays(365L * 1000);

    /** The most a number attribute takes in DynamoDB's size accounting (38 digits). */
    private static final int MAX_NUMBER_BYTES = 21;

    private static final AttributeValue ZERO = AttributeValue.fromN("0");

    private ItemLayout() {}

    /** The partition key of an entry: readable when it can be, a digest otherwise; deterministic. */
    public static String entryKey(String namespace, String key) {
        return StoredKeys.readableOrDigest(namespace, key, MAX_PARTITION_KEY_BYTES, ItemLayout::readable);
    }

    /** Which of its namespace's generation shards an entry's partition key belongs to. */
    public static int shard(String entryKey) {
        // String.hashCode is specified by the language, so every JVM picks the same shard.
        return Math.floorMod(entryKey.hashCode(), GENERATION_SHARDS);
    }

    /** The partition key of a namespace's generation item for {@code shard}. */
    public static String generationKey(String namespace, int shard) {
        return namespace + "!" + shard;
    }

    /** The partition key of the generation item an entry's liveness depends on. */
    public static String generationKeyOf(String namespace, String entryKey) {
        return generationKey(namespace, shard(entryKey));
    }

    /** The key map of an item. */
    public static Map<String, AttributeValue> key(String pk) {
        return Map.of(PK, AttributeValue.fromS(pk));
    }

    /** The key maps of items. */
    public static List<Map<String, AttributeValue>> keys(List<String> pks) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>(pks.size());
        for (String pk : pks) {
            keys.add(key(pk));
        }
        return keys;
    }

    /** The generation a generation item holds: 0 when absent. */
    public static long generationOf(Map<String, AttributeValue> generationItem) {
        if (generationItem == null) {
            return 0;
        }
        AttributeValue g = generationItem.getOrDefault(GENERATION, ZERO);
        return g.n() == null ? 0 : Long.parseLong(g.n());
    }

    /**
     * The value of an entry item when it is live: present, of {@code generation}, and not expired at {@code
     * nowMillis}; {@code null} otherwise.
     */
    public static byte[] liveValue(Map<String, AttributeValue> item, long generation, long nowMillis) {
        if (item == null || item.isEmpty()) {
            return null;
        }
        AttributeValue g = item.get(GENERATION);
        if (g == null || g.n() == null || Long.parseLong(g.n()) != generation) {
            return null;
        }
        AttributeValue expiresAt = item.get(EXPIRES_AT);
        if (expiresAt != null && expiresAt.n() != null && nowMillis >= Long.parseLong(expiresAt.n())) {
            return null;
        }
        AttributeValue value = item.get(VALUE);
        if (value == null || value.b() == null) {
            return null;
        }
        // The response is ours alone: its bytes need no copy.
        return value.b().asByteArrayUnsafe();
    }

    /** The generation an entry item was written with; {@code -1} when the item is absent or has none. */
    public static long entryGeneration(Map<String, AttributeValue> item) {
        AttributeValue g = item == null ? null : item.get(GENERATION);
        return g == null || g.n() == null ? -1 : Long.parseLong(g.n());
    }

    /**
     * The condition of a put that may replace only a dead entry: none at all, one without a value or a
     * generation, one of a generation older than {@code :g}, or one whose expiry is at or before {@code :now}
     * (epoch milliseconds). An entry of a generation newer than {@code :g} is never replaced: it was written
     * after a clear that the writer had not seen. {@link #blockingValue} is its complement, in Java.
     */
    public static final String WRITABLE_CONDITION =
            "attribute_not_exists(#v) OR attribute_not_exists(#g) OR #g < :g OR #exp <= :now";

    /** The attribute names of {@link #WRITABLE_CONDITION}. */
    public static final Map<String, String> WRITABLE_CONDITION_NAMES =
            Map.of("#v", VALUE, "#g", GENERATION, "#exp", EXPIRES_AT);

    /** The attribute values of {@link #WRITABLE_CONDITION} for a write of {@code generation} at {@code nowMillis}. */
    public static Map<String, AttributeValue> writableConditionValues(long generation, long nowMillis) {
        return Map.of(
                ":g", AttributeValue.fromN(Long.toString(generation)),
                ":now", AttributeValue.fromN(Long.toString(nowMillis)));
    }

    /**
     * The value of the item that keeps a put of {@code generation} at {@code nowMillis} from writing under
     * {@link #WRITABLE_CONDITION}, or {@code null} when the condition holds (no item, or a dead one). For an
     * entry of {@code generation} this is {@link #liveValue}; an entry of a newer generation blocks too. A
     * blocking item whose value is not binary gives an empty array: bytes that are no envelope, which Cachekit
     * deletes as corrupt before it tries again.
     */
    public static byte[] blockingValue(Map<String, AttributeValue> item, long generation, long nowMillis) {
        if (item == null || item.isEmpty()) {
            return null;
        }
        AttributeValue value = item.get(VALUE);
        AttributeValue g = item.get(GENERATION);
        if (value == null || g == null) {
            return null;
        }
        if (g.n() != null && Long.parseLong(g.n()) < generation) {
            return null;
        }
        AttributeValue expiresAt = item.get(EXPIRES_AT);
        if (expiresAt != null && expiresAt.n() != null && Long.parseLong(expiresAt.n()) <= nowMillis) {
            return null;
        }
        return value.b() == null ? new byte[0] : value.b().asByteArrayUnsafe();
    }

    /**
     * An entry item.
     *
     * @param ttl positive, or {@code null} for no expiry (already checked)
     * @param maxItemAge when not null, the TTL attribute is at most this far from {@code now}, also for entries
     *     without expiry
     */
    public static Map<String, AttributeValue> entryItem(
            String pk, byte[] value, long generation, Duration ttl, Instant now, Duration maxItemAge) {
        Map<String, AttributeValue> item = new HashMap<>(8);
        item.put(PK, AttributeValue.fromS(pk));
        item.put(VALUE, AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(value)));
        item.put(GENERATION, AttributeValue.fromN(Long.toString(generation)));
        long ttlSeconds = Long.MAX_VALUE;
        if (!Ttls.isNever(ttl, LONGEST_TTL)) {
            Instant deadline = Ttls.deadline(now, ttl);
            item.put(EXPIRES_AT, AttributeValue.fromN(Long.toString(epochMillisRoundedUp(deadline))));
            ttlSeconds = epochSecondsRoundedUp(deadline);
        }
        if (maxItemAge != null) {
            ttlSeconds = Math.min(ttlSeconds, epochSecondsRoundedUp(Ttls.deadline(now, maxItemAge)));
        }
        if (ttlSeconds != Long.MAX_VALUE) {
            item.put(TTL, AttributeValue.fromN(Long.toString(ttlSeconds)));
        }
        return item;
    }

    /**
     * An upper bound of an entry item's size as DynamoDB counts it (attribute names plus values; numbers at
     * their largest), so an item that passes {@link #MAX_ITEM_BYTES} here is never refused for its size.
     */
    public static long entryItemSize(String pk, int valueBytes) {
        return PK.length()
                + utf8Length(pk)
                + VALUE.length()
                + (long) valueBytes
                + GENERATION.length()
                + MAX_NUMBER_BYTES
                + EXPIRES_AT.length()
                + MAX_NUMBER_BYTES
                + TTL.length()
                + MAX_NUMBER_BYTES;
    }

    /** Characters kept readable in an entry's key: printable, no control characters, no surrogates. */
    static boolean readable(int c) {
        return c >= 0x20 && c != 0x7F && !(c >= 0x80 && c < 0xA0) && !Character.isSurrogate((char) c);
    }

    private static long epochMillisRoundedUp(Instant t) {
        long millis = Math.multiplyExact(t.getEpochSecond(), 1000L) + t.getNano() / 1_000_000;
        return t.getNano() % 1_000_000 == 0 ? millis : millis + 1;
    }

    private static long epochSecondsRoundedUp(Instant t) {
        return t.getNano() == 0 ? t.getEpochSecond() : t.getEpochSecond() + 1;
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        return n;
    }
}
