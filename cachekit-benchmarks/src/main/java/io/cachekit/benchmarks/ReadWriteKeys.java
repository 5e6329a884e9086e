package io.cachekit.benchmarks;

import io.cachekit.Cache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The keys one benchmark thread of a remote-store benchmark reads and writes: {@link #KEY_COUNT} keys that
 * were written before the run ({@code user:N}) and as many that the write rows overwrite ({@code write:N}),
 * each list in the thread's own shuffled order, so that no allocation or random draw happens in the measured
 * path.
 */
@State(Scope.Thread)
public class ReadWriteKeys {
    /** How many keys each list holds; a power of two, so the cursors wrap with a mask. */
    public static final int KEY_COUNT = 1024;

    private String[] reads;
    private String[] writes;
    private int nextRead;
    private int nextWrite;

    /** The N-th key that the setup writes and the read rows read. */
    public static String readKey(int i) {
        return "user:" + i;
    }

    /** The N-th key that the write rows write. */
    public static String writeKey(int i) {
        return "write:" + i;
    }

    /** Fails the run when a setup check or a measured call did not return what was stored. */
    public static void expect(String expected, String actual, String what) {
        if (!expected.equals(actual)) {
            throw new IllegalStateException(what + " returned " + actual + ", expected " + expected);
        }
    }

    /**
     * Writes {@code value} under every read key and checks that each reads back; returns the cache's miss count
     * afterwards, for {@link #expectNoMissOrError} to compare with after the run.
     */
    public static long populate(Cache cache, String value, Duration ttl) {
        for (int i = 0; i < KEY_COUNT; i++) {
            cache.set(readKey(i), value, ttl);
        }
        for (int i = 0; i < KEY_COUNT; i++) {
            expect(value, cache.get(readKey(i), String.class), "Cache.get of " + readKey(i));
        }
        return cache.stats().misses();
    }

    /** Fails the run when a measured call of {@code cache} missed or met a backend error. */
    public static void expectNoMissOrError(Cache cache, long missesAfterSetup) {
        if (cache.stats().misses() != missesAfterSetup || cache.stats().errors() != 0) {
            throw new IllegalStateException("A measured Cache.get missed or failed: " + cache.stats());
        }
    }

    @Setup(Level.Trial)
    public void shuffle(ThreadParams thread) {
        reads = shuffled(thread.getThreadIndex(), ReadWriteKeys::readKey);
        writes = shuffled(thread.getThreadIndex(), ReadWriteKeys::writeKey);
    }

    private static String[] shuffled(int seed, IntFunction<String> key) {
        List<String> keys = new ArrayList<>(KEY_COUNT);
        for (int i = 0; i < KEY_COUNT; i++) {
            keys.add(key.apply(i));
        }
        Collections.shuffle(keys, new Random(seed));
        return keys.toArray(new String[0]);
    }

    /** The next key to read. */
    public String nextRead() {
        String key = reads[nextRead];
        nextRead = (nextRead + 1) & (KEY_COUNT - 1);
        return key;
    }

    /** The next key to write. */
    public String nextWrite() {
        String key = writes[nextWrite];
        nextWrite = (nextWrite + 1) & (KEY_COUNT - 1);
        return key;
    }
}
