package io.cachekit.benchmarks.memory;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.cachekit.Cache;
import io.cachekit.CacheLoader;
import io.cachekit.Cachekit;
import io.cachekit.benchmarks.report.ReportRow;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A miss that loads: Cachekit's {@code getOrLoad} against Caffeine's {@code get(key, fn)}, each on a cache bounded
 * to 10,000 entries with a ten-minute TTL ({@code expireAfterWrite} on Caffeine's side).
 *
 * <p>Every call misses: it loads, stores, returns the value, and then the key is deleted ({@code delete} /
 * {@code invalidate}), so the next call of the key misses again. Both sides pay for the delete. The loader does some
 * work and counts itself: the counters {@code loads} and {@code calls} give the loads per call. Alone, one thread
 * walks 1,024 keys and the loader takes some hundreds of nanoseconds ({@code Blackhole.consumeCPU(256)}), so that
 * the cache's own cost shows. On one key, eight threads call for the same key at once and the loader waits 100
 * microseconds, as a remote call would: a load in flight makes the others wait for its value (one load per key at a
 * time in a process, on both sides), so fewer loads than calls run. Cachekit hands waiters the value of the load
 * they waited for; a Caffeine waiter reads the map again once the load is done, and loads again if the key was
 * deleted meanwhile: the loads per call show the difference.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 2, time = 1)
public class GetOrLoadBenchmark {
    static final int KEY_COUNT = 1024;
    static final int MAX_SIZE = 10_000;
    static final Duration TTL = Duration.ofMinutes(10);
    static final String HOT_KEY = "user:hot";
    static final String VALUE = "loaded value";
    /** The loader's work alone: some hundreds of nanoseconds, so that the cache's own cost shows. */
    static final int LOAD_WORK = 256;
    /**
     * How long the loader waits on one key, as for a remote call: 100 microseconds, so that the other threads call
     * while a load runs (on a 2-core machine, a loader that only computes would rarely overlap with another call).
     */
    static final long SLOW_LOAD_NANOS = 100_000;

    // ---------------------------------------------------------------- rows

    @Benchmark
    @ReportRow(
            label = "Cachekit `getOrLoad` miss that loads (memory backend), alone",
            compareTo = "caffeineGetWithLoader",
            threads = 1,
            order = 40,
            note = "Every call misses, loads (a loader of some hundreds of nanoseconds), stores and returns; the key is"
                    + " then deleted on both sides, so that the next call misses again.")
    public String cachekitGetOrLoad(CachekitState state, Keys keys, Loads loads) {
        String key = keys.next();
        loads.calls++;
        String value = state.cache.getOrLoad(key, String.class, TTL, loads.loader);
        state.cache.delete(key);
        return value;
    }

    @Benchmark
    @ReportRow(label = "Caffeine `get(key, fn)` miss that loads, alone")
    public String caffeineGetWithLoader(CaffeineState state, Keys keys, Loads loads) {
        String key = keys.next();
        loads.calls++;
        String value = state.cache.get(key, loads.function);
        state.cache.invalidate(key);
        return value;
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `getOrLoad` miss that loads (memory backend), 8 threads on one key",
            compareTo = "caffeineGetWithLoaderOneKey",
            threads = 8,
            order = 41,
            note = "Eight threads call for one key; each call gets or loads, then deletes the key. The loader waits"
                    + " 100 microseconds, as a remote call would, so calls arrive while a load runs. Cachekit hands"
                    + " waiters the value of the load they waited for; a Caffeine waiter reads the map again once"
                    + " the load is done, and loads again if the key was deleted meanwhile.")
    public String cachekitGetOrLoadOneKey(CachekitState state, Loads loads) {
        loads.calls++;
        String value = state.cache.getOrLoad(HOT_KEY, String.class, TTL, loads.slowLoader);
        state.cache.delete(HOT_KEY);
        return value;
    }

    @Benchmark
    @ReportRow(label = "Caffeine `get(key, fn)` miss that loads, 8 threads on one key")
    public String caffeineGetWithLoaderOneKey(CaffeineState state, Loads loads) {
        loads.calls++;
        String value = state.cache.get(HOT_KEY, loads.slowFunction);
        state.cache.invalidate(HOT_KEY);
        return value;
    }

    // ---------------------------------------------------------------- state

    /** The keys one thread walks, in its own order. */
    @State(Scope.Thread)
    public static class Keys {
        private final String[] keys = new String[KEY_COUNT];
        private int next;

        @Setup(Level.Trial)
        public void setUp(org.openjdk.jmh.infra.ThreadParams thread) {
            for (int i = 0; i < KEY_COUNT; i++) {
                keys[i] = "user:" + thread.getThreadIndex() + ":" + i;
            }
        }

        String next() {
            String key = keys[next];
            next = (next + 1) & (KEY_COUNT - 1);
            return key;
        }
    }

    /**
     * The loader of one thread, and JMH counters of how often it ran and how many calls the thread made (counted
     * alike, so that their quotient is the loads per call).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Loads {
        /** Loads run by this thread's loader. */
        public long loads;

        /** Calls this thread made. */
        public long calls;

        final CacheLoader<String> loader = () -> load(LOAD_WORK);
        final Function<String, String> function = key -> load(LOAD_WORK);
        final CacheLoader<String> slowLoader = () -> slowLoad();
        final Function<String, String> slowFunction = key -> slowLoad();

        private String slowLoad() {
            LockSupport.parkNanos(SLOW_LOAD_NANOS);
            loads++;
            return VALUE;
        }

        private String load(int work) {
            Blackhole.consumeCPU(work);
            loads++;
            return VALUE;
        }

        @Setup(Level.Iteration)
        public void reset() {
            loads = 0;
            calls = 0;
        }
    }

    /** Cachekit on its memory backend. */
    @State(Scope.Benchmark)
    public static class CachekitState {
        Cache cache;

        @Setup(Level.Trial)
        public void setUp() {
            cache = Cachekit.fromUri("memory://?maxSize=" + MAX_SIZE);
            String value = cache.getOrLoad("check", String.class, TTL, () -> VALUE);
            MemoryHitBenchmark.expect(VALUE, value, "getOrLoad of a new key");
            MemoryHitBenchmark.expect(VALUE, cache.get("check", String.class), "Cache.get after getOrLoad");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                if (cache.stats().errors() != 0) {
                    throw new IllegalStateException("Measured getOrLoad calls failed: " + cache.stats());
                }
            } finally {
                cache.close();
            }
        }
    }

    /** Caffeine configured for the same job. */
    @State(Scope.Benchmark)
    public static class CaffeineState {
        com.github.benmanes.caffeine.cache.Cache<String, String> cache;

        @Setup(Level.Trial)
        public void setUp() {
            cache = Caffeine.newBuilder()
                    .maximumSize(MAX_SIZE)
                    .expireAfterWrite(TTL)
                    .build();
            MemoryHitBenchmark.expect(VALUE, cache.get("check", k -> VALUE), "get(key, fn) of a new key");
        }
    }
}
