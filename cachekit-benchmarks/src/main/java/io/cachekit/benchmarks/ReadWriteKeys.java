package io.cachekit.benchmarks;

import io.cachekit.Cache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The keys one benchmark thread of a remote-store benchmark reads and writes, each list in the thread's own
 * shuffled order, so that no allocation or random draw happens in the measured path beyond what the row itself
 * does: {@link #KEY_COUNT} record keys ({@code rec:N}) and as many string keys ({@code str:N}) written before the
 * run, and as many of each that the write rows overwrite ({@code wrec:N}, {@code wstr:N}); and for the bulk rows,
 * batches of {@link #BATCH_KEYS} record keys.
 */
@State(Scope.Thread)
public class ReadWriteKeys {
    /**
     * How many keys each list holds; a power of two, so the cursors wrap with a mask. Every fork writes them all
     * on both sides, which takes seconds on the slower emulators: 512 keep that short.
     */
    public static final int KEY_COUNT = 512;

    /** Keys per getMany/setMany call. */
    public static final int BATCH_KEYS = 100;

    /** How many distinct batches each thread cycles through. */
    static final int BATCHES = KEY_COUNT / BATCH_KEYS;

    /** The TTL of every write. */
    public static final Duration TTL = Duration.ofMinutes(10);

    private String[] recordReads;
    private String[] recordWrites;
    private String[] stringReads;
    private String[] stringWrites;
    private List<List<String>> readBatches;
    private List<Map<String, UserRecord>> writeBatches;
    private int nextRecordRead;
    private int nextRecordWrite;
    private int nextStringRead;
    private int nextStringWrite;
    private int nextReadBatch;
    private int nextWriteBatch;

    /** The N-th record key that setups write and read rows read. */
    public static String recordKey(int i) {
        return "rec:" + i;
    }

    /** The N-th string key that setups write and read rows read. */
    public static String stringKey(int i) {
        return "str:" + i;
    }

    /** Fails the run when a setup check or a measured call did not return what was stored. */
    public static void expect(Object expected, Object actual, String what) {
        if (!expected.equals(actual)) {
            throw new IllegalStateException(what + " returned " + actual + ", expected " + expected);
        }
    }

    /**
     * Writes the record under every record key and the string under every string key (in batches), checks that
     * each reads back, and returns the cache's miss count afterwards, for {@link #expectNoMissOrError}.
     */
    public static long populate(Cache cache) {
        for (int from = 0; from < KEY_COUNT; from += BATCH_KEYS) {
            Map<String, Object> records = new LinkedHashMap<>();
            Map<String, Object> strings = new LinkedHashMap<>();
            for (int i = from; i < Math.min(KEY_COUNT, from + BATCH_KEYS); i++) {
                records.put(recordKey(i), Payloads.RECORD);
                strings.put(stringKey(i), Payloads.STRING);
            }
            cache.setMany(records, TTL);
            cache.setMany(strings, TTL);
            Map<String, UserRecord> readRecords = cache.getMany(records.keySet(), UserRecord.class);
            Map<String, String> readStrings = cache.getMany(strings.keySet(), String.class);
            for (String key : records.keySet()) {
                expect(Payloads.RECORD, readRecords.get(key), "Cache.getMany of " + key);
            }
            for (String key : strings.keySet()) {
                expect(Payloads.STRING, readStrings.get(key), "Cache.getMany of " + key);
            }
        }
        expect(Payloads.RECORD, cache.get(recordKey(0), UserRecord.class), "Cache.get of " + recordKey(0));
        expect(Payloads.STRING, cache.get(stringKey(0), String.class), "Cache.get of " + stringKey(0));
        return cache.stats().misses();
    }

    /** Fails the run when a measured call of {@code cache} missed or met a backend error. */
    public static void expectNoMissOrError(Cache cache, long missesAfterSetup) {
        if (cache.stats().misses() != missesAfterSetup || cache.stats().errors() != 0) {
            throw new IllegalStateException("A measured Cache call missed or failed: " + cache.stats());
        }
    }

    @Setup(Level.Trial)
    public void shuffle(ThreadParams thread) {
        int seed = thread.getThreadIndex();
        recordReads = shuffled(seed, ReadWriteKeys::recordKey);
        recordWrites = shuffled(seed + 1000, i -> "w" + recordKey(i));
        stringReads = shuffled(seed + 2000, ReadWriteKeys::stringKey);
        stringWrites = shuffled(seed + 3000, i -> "w" + stringKey(i));
        readBatches = new ArrayList<>();
        writeBatches = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            List<String> reads = new ArrayList<>(BATCH_KEYS);
            Map<String, UserRecord> writes = new LinkedHashMap<>();
            for (int i = 0; i < BATCH_KEYS; i++) {
                reads.add(recordReads[b * BATCH_KEYS + i]);
                writes.put(recordWrites[b * BATCH_KEYS + i], Payloads.RECORD);
            }
            readBatches.add(List.copyOf(reads));
            writeBatches.add(Collections.unmodifiableMap(writes));
        }
    }

    private static String[] shuffled(int seed, IntFunction<String> key) {
        List<String> keys = new ArrayList<>(KEY_COUNT);
        for (int i = 0; i < KEY_COUNT; i++) {
            keys.add(key.apply(i));
        }
        Collections.shuffle(keys, new Random(seed));
        return keys.toArray(new String[0]);
    }

    /** The next record key to read. */
    public String nextRecordRead() {
        String key = recordReads[nextRecordRead];
        nextRecordRead = (nextRecordRead + 1) & (KEY_COUNT - 1);
        return key;
    }

    /** The next record key to write. */
    public String nextRecordWrite() {
        String key = recordWrites[nextRecordWrite];
        nextRecordWrite = (nextRecordWrite + 1) & (KEY_COUNT - 1);
        return key;
    }

    /** The next string key to read. */
    public String nextStringRead() {
        String key = stringReads[nextStringRead];
        nextStringRead = (nextStringRead + 1) & (KEY_COUNT - 1);
        return key;
    }

    /** The next string key to write. */
    public String nextStringWrite() {
        String key = stringWrites[nextStringWrite];
        nextStringWrite = (nextStringWrite + 1) & (KEY_COUNT - 1);
        return key;
    }

    /** The next {@link #BATCH_KEYS} record keys to read together. */
    public List<String> nextReadBatch() {
        List<String> batch = readBatches.get(nextReadBatch);
        nextReadBatch = nextReadBatch + 1 == BATCHES ? 0 : nextReadBatch + 1;
        return batch;
    }

    /** The next {@link #BATCH_KEYS} record entries to write together. */
    public Map<String, UserRecord> nextWriteBatch() {
        Map<String, UserRecord> batch = writeBatches.get(nextWriteBatch);
        nextWriteBatch = nextWriteBatch + 1 == BATCHES ? 0 : nextWriteBatch + 1;
        return batch;
    }
}
