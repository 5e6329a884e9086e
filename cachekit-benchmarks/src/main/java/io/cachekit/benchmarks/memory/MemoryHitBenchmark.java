package io.cachekit.benchmarks.memory;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.cachekit.Cache;
import io.cachekit.Cached;
import io.cachekit.Cachekit;
import io.cachekit.benchmarks.report.Goal;
import io.cachekit.benchmarks.report.ReportRow;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
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
import org.openjdk.jmh.infra.ThreadParams;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.caffeine.CaffeineCacheManager;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A cache hit in memory, read through Cachekit and through the libraries it is measured by.
 *
 * <p>Every row reads the same 1,024 pre-populated string keys holding string values, from caches bounded to
 * 10,000 entries. Each benchmark thread walks its own shuffled copy of the keys (distinct {@code String}
 * instances, so no lookup is won by reference equality), one key per call, without allocating or drawing
 * random numbers in the measured path. The setup of every row checks that the measured calls are hits, and
 * its teardown fails the run if any of them was not.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 2, time = 1)
public class MemoryHitBenchmark {
    static final int KEY_COUNT = 1024; // a power of two: the cursor wraps with a mask
    static final int MAX_SIZE = 10_000;
    static final Duration TTL = Duration.ofMinutes(10);

    static String key(int i) {
        return "user:" + i;
    }

    static String valueOf(String key) {
        return "hello " + key;
    }

    // ---------------------------------------------------------------- rows

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` hit (memory backend), entries with a TTL",
            compareTo = {"caffeineWithExpiryGetIfPresent", "caffeineVariableExpiryGetIfPresent"},
            goals = @Goal(atLeast = 0.85, source = "issue 17", against = "caffeineWithExpiryGetIfPresent"),
            order = 10,
            note = "The target is against Caffeine with `expireAfterWrite`, the TTL cache users build; Caffeine with"
                    + " a TTL per entry (`expireAfter`) is shown beside it, as what a per-entry TTL costs in"
                    + " Caffeine's own entries.")
    public String cachekitGet(CachekitState state, Keys keys) {
        return state.cache.get(keys.next(), String.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` hit (memory backend), entries without expiry (`Cache.NO_EXPIRY`)",
            compareTo = "caffeineGetIfPresent",
            goals = @Goal(atLeast = 0.7, source = "issue 17"),
            order = 20)
    public String cachekitGetNoExpiry(CachekitNoExpiryState state, Keys keys) {
        return state.cache.get(keys.next(), String.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `@Cached` proxy method hit",
            compareTo = "springCacheable",
            goals = @Goal(atLeast = 2.0, source = "issue 17"),
            order = 30)
    public String cachekitCachedProxy(CachekitState state, Keys keys) {
        return state.proxy.greet(keys.next());
    }

    @Benchmark
    @ReportRow(label = "Raw Caffeine `getIfPresent` (`maximumSize`)")
    public String caffeineGetIfPresent(CaffeineState state, Keys keys) {
        return state.cache.getIfPresent(keys.next());
    }

    @Benchmark
    @ReportRow(
            label = "Raw Caffeine `getIfPresent` (`maximumSize`, `expireAfterWrite`): a TTL cache as users build one")
    public String caffeineWithExpiryGetIfPresent(CaffeineWithExpiryState state, Keys keys) {
        return state.cache.getIfPresent(keys.next());
    }

    @Benchmark
    @ReportRow(
            label = "Raw Caffeine `getIfPresent` (`maximumSize`, `expireAfterWrite`), the same code again (control)",
            compareTo = "caffeineWithExpiryGetIfPresent",
            control = true,
            order = 900)
    public String caffeineWithExpiryGetIfPresentControl(CaffeineWithExpiryState state, Keys keys) {
        return caffeineWithExpiryGetIfPresent(state, keys);
    }

    @Benchmark
    @ReportRow(label = "Raw Caffeine `getIfPresent` (`maximumSize`, `expireAfter`: a TTL per entry)")
    public String caffeineVariableExpiryGetIfPresent(CaffeineVariableExpiryState state, Keys keys) {
        return state.cache.getIfPresent(keys.next());
    }

    @Benchmark
    @ReportRow(label = "Spring `@Cacheable` hit on `CaffeineCacheManager` (`maximumSize`, `expireAfterWrite`)")
    public String springCacheable(SpringState state, Keys keys) {
        return state.greeter.greet(keys.next());
    }

    // ---------------------------------------------------------------- keys

    /** The keys one benchmark thread reads, in its own order. */
    @State(Scope.Thread)
    public static class Keys {
        private String[] keys;
        private int next;

        @Setup(Level.Trial)
        public void shuffle(ThreadParams thread) {
            List<String> copies = new ArrayList<>(KEY_COUNT);
            for (int i = 0; i < KEY_COUNT; i++) {
                copies.add(new String(key(i))); // equal to the stored key, never the same instance
            }
            Collections.shuffle(copies, new Random(thread.getThreadIndex()));
            keys = copies.toArray(new String[0]);
        }

        String next() {
            String key = keys[next];
            next = (next + 1) & (KEY_COUNT - 1);
            return key;
        }
    }

    // ---------------------------------------------------------------- subjects

    /** What the method-caching rows call: a method with one String argument. */
    public interface Greeter {
        @Cached(ttl = "10m")
        String greet(String name);
    }

    /** The real method behind the caching proxies: trivial, and counted, so a miss shows. */
    static final class CountingGreeter implements Greeter {
        private final LongAdder calls = new LongAdder();

        @Override
        public String greet(String name) {
            calls.increment();
            return valueOf(name);
        }

        long calls() {
            return calls.sum();
        }
    }

    /** Cachekit on its in-memory backend: the direct API and a {@code @Cached} proxy over one cache. */
    @State(Scope.Benchmark)
    public static class CachekitState {
        Cache cache;
        Greeter proxy;
        private final CountingGreeter real = new CountingGreeter();
        private long missesAfterSetup;

        @Setup(Level.Trial)
        public void setUp() {
            cache = Cachekit.fromUri("memory://?maxSize=" + MAX_SIZE);
            proxy = cache.proxy(Greeter.class, real);
            for (int i = 0; i < KEY_COUNT; i++) {
                cache.set(key(i), valueOf(key(i)), TTL);
                proxy.greet(key(i));
            }
            for (int i = 0; i < KEY_COUNT; i++) {
                String key = new String(key(i));
                expect(valueOf(key), cache.get(key, String.class), "Cache.get of " + key);
                expect(valueOf(key), proxy.greet(key), "the proxy call of " + key);
            }
            expectCalls(real.calls(), "after setup");
            missesAfterSetup = cache.stats().misses();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                expectCalls(real.calls(), "after the run: a measured proxy call missed");
                if (cache.stats().misses() != missesAfterSetup) {
                    throw new IllegalStateException("A measured Cache.get missed: " + cache.stats());
                }
            } finally {
                cache.close();
            }
        }
    }

    /** Cachekit on its in-memory backend holding entries that never expire: no clock read on a hit. */
    @State(Scope.Benchmark)
    public static class CachekitNoExpiryState {
        Cache cache;
        private long missesAfterSetup;

        @Setup(Level.Trial)
        public void setUp() {
            cache = Cachekit.fromUri("memory://?maxSize=" + MAX_SIZE);
            for (int i = 0; i < KEY_COUNT; i++) {
                cache.set(key(i), valueOf(key(i)), Cache.NO_EXPIRY);
            }
            for (int i = 0; i < KEY_COUNT; i++) {
                String key = new String(key(i));
                expect(valueOf(key), cache.get(key, String.class), "Cache.get of " + key);
            }
            missesAfterSetup = cache.stats().misses();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                if (cache.stats().misses() != missesAfterSetup) {
                    throw new IllegalStateException("A measured Cache.get missed: " + cache.stats());
                }
            } finally {
                cache.close();
            }
        }
    }

    /** Caffeine as a user would build it for a bounded cache. */
    @State(Scope.Benchmark)
    public static class CaffeineState {
        com.github.benmanes.caffeine.cache.Cache<String, String> cache;

        @Setup(Level.Trial)
        public void setUp() {
            cache = Caffeine.newBuilder().maximumSize(MAX_SIZE).build();
            populateAndCheck(cache);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            expectSize(cache);
        }
    }

    /**
     * Caffeine as a user would build a bounded cache with a TTL, the job Cachekit's in-memory backend does: a
     * size bound and {@code expireAfterWrite}.
     */
    @State(Scope.Benchmark)
    public static class CaffeineWithExpiryState {
        com.github.benmanes.caffeine.cache.Cache<String, String> cache;

        @Setup(Level.Trial)
        public void setUp() {
            cache = Caffeine.newBuilder()
                    .maximumSize(MAX_SIZE)
                    .expireAfterWrite(TTL)
                    .build();
            populateAndCheck(cache);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            expectSize(cache);
        }
    }

    /** The interface Spring proxies; {@code calls} is not cached and is only called outside the measurement. */
    public interface SpringGreeter {
        String greet(String name);

        long calls();
    }

    /** The Spring bean: the same trivial, counted method as {@link CountingGreeter}, cached by Spring. */
    public static class CacheableGreeter implements SpringGreeter {
        private final LongAdder calls = new LongAdder();

        @Override
        @Cacheable("greetings")
        public String greet(String name) {
            calls.increment();
            return valueOf(name);
        }

        @Override
        public long calls() {
            return calls.sum();
        }
    }

    /**
     * Spring's cache abstraction as configured without Boot: {@code @EnableCaching} with its default JDK
     * proxies, and a {@link CaffeineCacheManager} whose entries live ten minutes, like the {@code @Cached}
     * entries.
     */
    @Configuration(proxyBeanMethods = false)
    @EnableCaching
    public static class SpringCachingConfig {
        @Bean
        public CacheManager cacheManager() {
            CaffeineCacheManager manager = new CaffeineCacheManager("greetings");
            manager.setCaffeine(Caffeine.newBuilder().maximumSize(MAX_SIZE).expireAfterWrite(TTL));
            return manager;
        }

        @Bean
        public SpringGreeter greeter() {
            return new CacheableGreeter();
        }
    }

    /** Spring {@code @Cacheable} on {@code CaffeineCacheManager}, in an application context of its own. */
    @State(Scope.Benchmark)
    public static class SpringState {
        SpringGreeter greeter;
        private AnnotationConfigApplicationContext context;

        @Setup(Level.Trial)
        public void setUp() {
            context = new AnnotationConfigApplicationContext(SpringCachingConfig.class);
            greeter = context.getBean(SpringGreeter.class);
            if (!Proxy.isProxyClass(greeter.getClass())) {
                throw new IllegalStateException("Expected a JDK proxy, got " + greeter.getClass());
            }
            for (int i = 0; i < KEY_COUNT; i++) {
                greeter.greet(key(i));
            }
            for (int i = 0; i < KEY_COUNT; i++) {
                String key = new String(key(i));
                expect(valueOf(key), greeter.greet(key), "the @Cacheable call of " + key);
            }
            expectCalls(greeter.calls(), "after setup");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                expectCalls(greeter.calls(), "after the run: a measured @Cacheable call missed");
            } finally {
                context.close();
            }
        }
    }

    /**
     * Caffeine with a TTL per entry: variable expiry ({@code expireAfter}) whose durations are given on write
     * ({@code policy().expireVariably().put}) and kept on reads.
     */
    @State(Scope.Benchmark)
    public static class CaffeineVariableExpiryState {
        com.github.benmanes.caffeine.cache.Cache<String, String> cache;

        @Setup(Level.Trial)
        public void setUp() {
            cache = Caffeine.newBuilder()
                    .maximumSize(MAX_SIZE)
                    .expireAfter(MemoryPerEntry.KeepOnReadExpiry.INSTANCE)
                    .build();
            var expiration = cache.policy().expireVariably().orElseThrow();
            for (int i = 0; i < KEY_COUNT; i++) {
                expiration.put(key(i), valueOf(key(i)), TTL);
            }
            for (int i = 0; i < KEY_COUNT; i++) {
                String key = new String(key(i));
                expect(valueOf(key), cache.getIfPresent(key), "getIfPresent of " + key);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            expectSize(cache);
        }
    }

    // ---------------------------------------------------------------- checks

    static void populateAndCheck(com.github.benmanes.caffeine.cache.Cache<String, String> cache) {
        for (int i = 0; i < KEY_COUNT; i++) {
            cache.put(key(i), valueOf(key(i)));
        }
        for (int i = 0; i < KEY_COUNT; i++) {
            String key = new String(key(i));
            expect(valueOf(key), cache.getIfPresent(key), "getIfPresent of " + key);
        }
    }

    static void expectSize(com.github.benmanes.caffeine.cache.Cache<String, String> cache) {
        cache.cleanUp();
        if (cache.estimatedSize() != KEY_COUNT) {
            throw new IllegalStateException(
                    "Expected " + KEY_COUNT + " entries after the run, found " + cache.estimatedSize());
        }
    }

    /** The real method runs once per key while the cache is filled, and never again. */
    static void expectCalls(long calls, String when) {
        if (calls != KEY_COUNT) {
            throw new IllegalStateException(
                    "Expected " + KEY_COUNT + " calls of the real method " + when + ", counted " + calls);
        }
    }

    static void expect(String expected, String actual, String what) {
        if (!expected.equals(actual)) {
            throw new IllegalStateException(what + " returned " + actual + ", expected " + expected);
        }
    }
}
