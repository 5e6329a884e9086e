package io.cachekit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.cachekit.Cache;
import io.cachekit.CacheEntry;
import io.cachekit.CacheLoaderException;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.TypeRef;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.tck.CacheOps.Path;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract every Cachekit backend meets, run over the sync API and over the async view.
 *
 * <p>A backend's test extends this class and implements {@link #createBackend(BackendContext)}; it may
 * declare capabilities its store lacks in {@link #capabilities()}. The backend is created once per test
 * class and closed after it. Each test works in a namespace of its own, so nothing is flushed between tests
 * and the suite can run against a shared server. Expiry is driven by a {@link ManualClock} that every cache
 * and the backend share; stores with their own expiry are also checked in real time.
 *
 * <p>Every test is a JUnit parameterized test over {@link Path}, so the report lists each one twice. The
 * nested {@code MethodLevel} section runs the {@link MethodCachingContract} (cached proxies) over the same
 * backend, with nothing to add in a backend's test; so do {@code Threads} ({@link ThreadingContract}), {@code
 * Stale} ({@link StaleContract}) and {@code Tagging} ({@link TagContract}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class CacheBackendContract {
    /** The clock of the backend and of every cache in this suite. */
    protected final ManualClock clock = new ManualClock();

    private final AtomicInteger executorThreads = new AtomicInteger();
    private final ExecutorService loaders = Executors.newFixedThreadPool(16, r -> {
        Thread t = new Thread(r, ThreadingContract.EXECUTOR_THREAD_PREFIX + executorThreads.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private CacheBackend backend;

    /**
     * Creates the backend under test. Called once per test class.
     *
     * @param context the timeout, clock ({@link #clock}) and executor the backend must use
     */
    protected abstract CacheBackend createBackend(BackendContext context);

    /** What the store can do; the default is every {@link BackendCapability}. */
    protected Set<BackendCapability> capabilities() {
        return EnumSet.allOf(BackendCapability.class);
    }

    @BeforeAll
    final void startBackend() {
        backend = createBackend(new BackendContext(Duration.ofSeconds(10), clock, loaders));
        assertThat(backend).as("createBackend must return a backend").isNotNull();
    }

    @AfterAll
    final void stopBackend() {
        if (backend != null) {
            backend.close();
        }
        loaders.shutdownNow();
    }

    /** The backend under test. */
    protected final CacheBackend backend() {
        return backend;
    }

    /** A cache in a new random namespace over the backend under test. */
    protected final Cache newCache() {
        return newCache(CachekitConfig.builder());
    }

    /** A cache in a new random namespace with settings of the caller's. */
    protected final Cache newCache(CachekitConfig.Builder settings) {
        return Cachekit.create(
                settings.namespace("tck-" + UUID.randomUUID().toString().substring(0, 12))
                        .clock(clock)
                        .operationTimeout(Duration.ofSeconds(10))
                        .executor(loaders)
                        .build(),
                backend);
    }

    /** The method-level contract ({@link MethodCachingContract}) over the backend under test. */
    @Nested
    class MethodLevel extends MethodCachingContract {
        @Override
        protected Cache newCache() {
            return CacheBackendContract.this.newCache();
        }
    }

    /** Where user code runs ({@link ThreadingContract}), over the backend under test. */
    @Nested
    class Threads extends ThreadingContract {
        @Override
        protected Cache newCache() {
            return CacheBackendContract.this.newCache();
        }
    }

    /** Stale while revalidate and stale on error ({@link StaleContract}), over the backend under test. */
    @Nested
    class Stale extends StaleContract {
        @Override
        protected Cache newCache() {
            return CacheBackendContract.this.newCache();
        }

        @Override
        protected void advance(Duration duration) {
            clock.advance(duration);
        }
    }

    /** Tag invalidation ({@link TagContract}), over the backend under test. */
    @Nested
    class Tagging extends TagContract {
        @Override
        protected Cache newCache(CachekitConfig.Builder settings) {
            return CacheBackendContract.this.newCache(settings);
        }

        @Override
        protected Cache sameStore(CachekitConfig config) {
            return Cachekit.create(config, backend);
        }

        @Override
        protected void advance(Duration duration) {
            clock.advance(duration);
        }

        @Override
        protected Executor executor() {
            return loaders;
        }
    }

    private CacheOps ops(Path path) {
        return CacheOps.of(newCache(), path, loaders);
    }

    private CacheOps ops(Path path, Cache cache) {
        return CacheOps.of(cache, path, loaders);
    }

    private void requires(BackendCapability capability) {
        Assumptions.assumeTrue(capabilities().contains(capability), "the store lacks " + capability);
    }

    // ---------------------------------------------------------------- values

    /** A record value, as applications cache them. */
    public record User(long id, String name, List<String> roles, Instant createdAt) {}

    @ParameterizedTest
    @EnumSource(Path.class)
    void stringRoundTrip(Path path) {
        CacheOps c = ops(path);
        c.set("greeting", "héllo wörld ✓");
        assertThat(c.get("greeting", String.class)).isEqualTo("héllo wörld ✓");
        c.set("empty", "");
        assertThat(c.get("empty", String.class)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void bytesRoundTrip(Path path) {
        CacheOps c = ops(path);
        byte[] bytes = {0, 1, 2, (byte) 0xCA, (byte) 0xFF, 127, -128};
        c.set("bytes", bytes);
        assertThat(c.get("bytes", byte[].class)).containsExactly(bytes);
        c.set("no-bytes", new byte[0]);
        assertThat(c.get("no-bytes", byte[].class)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void recordRoundTrip(Path path) {
        CacheOps c = ops(path);
        User user = new User(42, "Ada", List.of("admin", "dev"), Instant.parse("2026-01-02T03:04:05Z"));
        c.set("user:42", user);
        assertThat(c.get("user:42", User.class)).isEqualTo(user);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void genericCollectionsRoundTrip(Path path) {
        CacheOps c = ops(path);
        List<User> users =
                List.of(new User(1, "a", List.of(), Instant.EPOCH), new User(2, "b", List.of("x"), Instant.EPOCH));
        c.set("users", users);
        List<User> read = c.get("users", new TypeRef<List<User>>() {});
        assertThat(read).containsExactlyElementsOf(users);
        assertThat(read.get(0)).isInstanceOf(User.class);

        Map<String, List<Integer>> map = Map.of("odd", List.of(1, 3), "even", List.of(2, 4));
        c.set("map", map);
        assertThat(c.get("map", new TypeRef<Map<String, List<Integer>>>() {})).isEqualTo(map);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void numbersAndBooleansRoundTrip(Path path) {
        CacheOps c = ops(path);
        c.set("int", 7);
        c.set("long", Long.MAX_VALUE);
        c.set("double", 0.1 + 0.2);
        c.set("bool", false);
        assertThat(c.get("int", Integer.class)).isEqualTo(7);
        assertThat(c.get("long", Long.class)).isEqualTo(Long.MAX_VALUE);
        assertThat(c.get("double", Double.class)).isEqualTo(0.1 + 0.2);
        assertThat(c.get("bool", Boolean.class)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void nullIsCachedAsAHit(Path path) {
        CacheOps c = ops(path);
        c.set("nothing", null);
        CacheEntry<String> entry = c.getWithTtl("nothing", String.class);
        assertThat(entry).as("a cached null is a hit").isNotNull();
        assertThat(entry.value()).isNull();
        assertThat(c.has("nothing")).isTrue();
        assertThat(c.get("nothing", String.class)).isNull();
        assertThat(c.cache().stats().hits()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void missIsNullAndCounted(Path path) {
        CacheOps c = ops(path);
        assertThat(c.get("absent", String.class)).isNull();
        assertThat(c.getWithTtl("absent", String.class)).isNull();
        assertThat(c.has("absent")).isFalse();
        assertThat(c.cache().stats().misses()).isEqualTo(2);
        assertThat(c.cache().stats().hits()).isZero();
    }

    // ---------------------------------------------------------------- TTL

    @ParameterizedTest
    @EnumSource(Path.class)
    void entryExpiresAfterItsTtl(Path path) {
        CacheOps c = ops(path);
        c.set("short", "v", Duration.ofSeconds(30));
        c.set("long", "v", Duration.ofMinutes(10));
        clock.advance(Duration.ofSeconds(29));
        assertThat(c.get("short", String.class)).isEqualTo("v");
        clock.advance(Duration.ofSeconds(2));
        assertThat(c.get("short", String.class)).isNull();
        assertThat(c.has("short")).isFalse();
        assertThat(c.get("long", String.class)).isEqualTo("v");
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void getWithTtlReportsTheTimeLeft(Path path) {
        CacheOps c = ops(path);
        c.set("k", "v", Duration.ofSeconds(100));
        clock.advance(Duration.ofSeconds(40));
        CacheEntry<String> entry = c.getWithTtl("k", String.class);
        assertThat(entry.value()).isEqualTo("v");
        assertThat(entry.remainingTtl()).hasValueSatisfying(left -> assertThat(left)
                .isLessThanOrEqualTo(Duration.ofSeconds(60))
                .isGreaterThan(Duration.ofSeconds(50)));
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void defaultTtlAppliesWhenNoneIsGiven(Path path) {
        Cache cache = newCache(CachekitConfig.builder().defaultTtl(Duration.ofMinutes(5)));
        CacheOps c = ops(path, cache);
        c.set("k", "v");
        assertThat(c.getWithTtl("k", String.class).remainingTtl())
                .hasValueSatisfying(left -> assertThat(left).isLessThanOrEqualTo(Duration.ofMinutes(5)));
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertThat(c.get("k", String.class)).isNull();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void noExpiryIsExplicitAndLasts(Path path) {
        CacheOps c = ops(path);
        c.set("forever", "v", Cache.NO_EXPIRY);
        clock.advance(Duration.ofDays(3650));
        CacheEntry<String> entry = c.getWithTtl("forever", String.class);
        assertThat(entry.value()).isEqualTo("v");
        assertThat(entry.remainingTtl()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void zeroOrNegativeTtlIsRejected(Path path) {
        CacheOps c = ops(path);
        assertThatThrownBy(() -> c.set("k", "v", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.set("k", "v", Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(c.has("k")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void overwriteReplacesValueAndExpiry(Path path) {
        CacheOps c = ops(path);
        c.set("k", "first", Duration.ofSeconds(10));
        c.set("k", "second", Cache.NO_EXPIRY);
        clock.advance(Duration.ofMinutes(1));
        assertThat(c.get("k", String.class))
                .as("the old expiry must not survive")
                .isEqualTo("second");
        c.set("k", "third", Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(11));
        assertThat(c.get("k", String.class)).isNull();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void storeExpiresEntriesInRealTime(Path path) {
        requires(BackendCapability.STORE_EXPIRY);
        CacheOps c = ops(path);
        c.set("real", "v", Duration.ofSeconds(1));
        c.set("kept", "v", Duration.ofMinutes(10));
        // The manual clock stands still, so the envelope's expiry never fires: only the store can drop it.
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> c.get("real", String.class) == null);
        assertThat(c.get("kept", String.class)).isEqualTo("v");
    }

    private static String storedNamespace(CacheOps c) {
        return c.cache().namespace();
    }

    // ---------------------------------------------------------------- delete, has, clear

    @ParameterizedTest
    @EnumSource(Path.class)
    void deleteRemovesOnlyThatKey(Path path) {
        CacheOps c = ops(path);
        c.set("a", "1");
        c.set("b", "2");
        c.delete("a");
        c.delete("never-there");
        assertThat(c.get("a", String.class)).isNull();
        assertThat(c.has("a")).isFalse();
        assertThat(c.get("b", String.class)).isEqualTo("2");
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void hasSeesLiveEntriesOnly(Path path) {
        CacheOps c = ops(path);
        assertThat(c.has("k")).isFalse();
        c.set("k", "v", Duration.ofSeconds(5));
        assertThat(c.has("k")).isTrue();
        clock.advance(Duration.ofSeconds(6));
        assertThat(c.has("k")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void clearRemovesItsNamespaceOnly(Path path) {
        Cache first = newCache();
        Cache lookalike = first.withNamespace(first.namespace() + "-x"); // shares the first one's text as prefix
        Cache other = newCache();
        CacheOps c = ops(path, first);
        for (Cache cache : List.of(first, lookalike, other)) {
            for (int i = 0; i < 25; i++) {
                cache.set("k" + i, "v" + i);
            }
        }
        c.clear();
        for (int i = 0; i < 25; i++) {
            assertThat(first.has("k" + i)).isFalse();
            assertThat(lookalike.get("k" + i, String.class)).isEqualTo("v" + i);
            assertThat(other.get("k" + i, String.class)).isEqualTo("v" + i);
        }
        c.clear(); // clearing an empty namespace is fine
        assertThat(first.has("k0")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void namespacesAndPrefixesIsolateEqualKeys(Path path) {
        Cache a = newCache();
        Cache b = a.withNamespace(a.namespace() + "b");
        Cache prefixed = newCache(CachekitConfig.builder().keyPrefix("app1"));
        Cache otherPrefix = newCache(CachekitConfig.builder().keyPrefix("app2")).withNamespace(prefixed.namespace());
        ops(path, a).set("same", "a");
        ops(path, b).set("same", "b");
        ops(path, prefixed).set("same", "p1");
        assertThat(ops(path, a).get("same", String.class)).isEqualTo("a");
        assertThat(ops(path, b).get("same", String.class)).isEqualTo("b");
        assertThat(ops(path, prefixed).get("same", String.class)).isEqualTo("p1");
        assertThat(ops(path, otherPrefix).get("same", String.class)).isNull();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void aPrefixNeverMeetsTheNamespaceOfTheSameName(Path path) {
        String name = "tck" + UUID.randomUUID().toString().substring(0, 8);
        Cache prefixed = newCache(CachekitConfig.builder().keyPrefix(name));
        Cache bare = newCache().withNamespace(name);
        ops(path, prefixed).set("k", "prefixed");
        ops(path, bare).set(prefixed.namespace() + ":k", "bare");
        assertThat(ops(path, prefixed).get("k", String.class)).isEqualTo("prefixed");
        ops(path, bare).clear();
        assertThat(ops(path, prefixed).get("k", String.class)).isEqualTo("prefixed");
        assertThat(ops(path, bare).has(prefixed.namespace() + ":k")).isFalse();
    }

    // ---------------------------------------------------------------- bulk

    @ParameterizedTest
    @EnumSource(Path.class)
    void bulkSetAndGet(Path path) {
        CacheOps c = ops(path);
        Map<String, Object> entries = new LinkedHashMap<>();
        for (int i = 0; i < 50; i++) {
            entries.put("bulk-" + i, "value-" + i);
        }
        entries.put("bulk-null", null);
        c.setMany(entries, Duration.ofMinutes(1));
        List<String> keys = new ArrayList<>(entries.keySet());
        keys.add("bulk-absent");
        Map<String, String> found = c.getMany(keys, String.class);
        assertThat(found).hasSize(51).doesNotContainKey("bulk-absent").containsEntry("bulk-7", "value-7");
        assertThat(found).containsKey("bulk-null");
        assertThat(found.get("bulk-null")).isNull();
        clock.advance(Duration.ofMinutes(2));
        assertThat(c.getMany(keys, String.class)).isEmpty();
        assertThat(c.getMany(List.of(), String.class)).isEmpty();
    }

    // ---------------------------------------------------------------- getOrLoad

    @ParameterizedTest
    @EnumSource(Path.class)
    void getOrLoadLoadsOnceThenHits(Path path) {
        CacheOps c = ops(path);
        AtomicInteger loads = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            assertThat(c.getOrLoad("k", String.class, Duration.ofMinutes(1), () -> "v" + loads.incrementAndGet()))
                    .isEqualTo("v1");
        }
        assertThat(loads).hasValue(1);
        clock.advance(Duration.ofMinutes(2));
        assertThat(c.getOrLoad("k", String.class, Duration.ofMinutes(1), () -> "v" + loads.incrementAndGet()))
                .isEqualTo("v2");
        assertThat(loads).hasValue(2);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void getOrLoadCachesNull(Path path) {
        CacheOps c = ops(path);
        AtomicInteger loads = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            assertThat(c.getOrLoad("nil", String.class, Duration.ofMinutes(1), () -> {
                        loads.incrementAndGet();
                        return null;
                    }))
                    .isNull();
        }
        assertThat(loads).hasValue(1);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void failedLoadIsThrownAndNotCached(Path path) {
        CacheOps c = ops(path);
        AtomicInteger loads = new AtomicInteger();
        IllegalStateException boom = new IllegalStateException("boom");
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> c.getOrLoad("k", String.class, null, () -> {
                        loads.incrementAndGet();
                        throw boom;
                    }))
                    .isSameAs(boom);
        }
        assertThat(loads).as("a failure is not cached").hasValue(2);
        assertThat(c.has("k")).isFalse();
        Throwable checked = catchThrowable(() -> c.getOrLoad("k", String.class, null, () -> {
            throw new IOException("disk");
        }));
        assertThat(checked).isInstanceOf(CacheLoaderException.class).hasCauseInstanceOf(IOException.class);
        assertThat(c.getOrLoad("k", String.class, null, () -> "ok")).isEqualTo("ok");
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void getOrLoadIsSingleFlightUnderConcurrency(Path path) throws Exception {
        CacheOps c = ops(path);
        int callers = 12;
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(callers);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                results.add(pool.submit(() -> {
                    started.countDown();
                    return c.getOrLoad("hot", String.class, Duration.ofMinutes(1), () -> {
                        loads.incrementAndGet();
                        assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
                        return "loaded";
                    });
                }));
            }
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> loads.get() >= 1);
            release.countDown();
            for (Future<String> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo("loaded");
            }
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        assertThat(loads).as("one load for %d concurrent callers", callers).hasValue(1);
        assertThat(c.cache().stats().loads()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void concurrentCallersShareAFailureAndNothingIsCached(Path path) throws Exception {
        CacheOps c = ops(path);
        int callers = 8;
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Throwable>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                results.add(pool.submit(() -> catchThrowable(() -> c.getOrLoad("bad", String.class, null, () -> {
                    loads.incrementAndGet();
                    assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
                    throw new IllegalStateException("load failed");
                }))));
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> loads.get() >= 1);
            release.countDown();
            for (Future<Throwable> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("load failed");
            }
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        assertThat(loads.get()).isBetween(1, callers);
        assertThat(c.has("bad")).isFalse();
        assertThat(c.cache().stats().loadFailures()).isEqualTo(loads.get());
    }

    // ---------------------------------------------------------------- keys and sizes

    @ParameterizedTest
    @EnumSource(Path.class)
    void unusualKeysAreDistinctAndReadable(Path path) {
        CacheOps c = ops(path);
        List<String> keys = List.of(
                "",
                " ",
                "ключ-🔑-鍵",
                "with space",
                "tab\tnew\nline\r",
                "nul\u0000byte",
                "slash/back\\slash",
                "glob*?[]{}^$|()",
                "percent%20plus+amp&eq=",
                "quote'\"`",
                "colon:colon::",
                "x".repeat(1024),
                "x".repeat(1023) + "y",
                "é".repeat(300));
        for (int i = 0; i < keys.size(); i++) {
            c.set(keys.get(i), "value-" + i);
        }
        for (int i = 0; i < keys.size(); i++) {
            assertThat(c.get(keys.get(i), String.class)).as("key #%d", i).isEqualTo("value-" + i);
        }
        c.delete("x".repeat(1024));
        assertThat(c.has("x".repeat(1024))).isFalse();
        assertThat(c.get("x".repeat(1023) + "y", String.class)).isEqualTo("value-" + 12);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void oneMegabyteValues(Path path) {
        CacheOps c = ops(path);
        byte[] bytes = new byte[1_000_000];
        new Random(7).nextBytes(bytes);
        c.set("big-bytes", bytes);
        assertThat(c.get("big-bytes", byte[].class)).isEqualTo(bytes);
        String text = "0123456789".repeat(100_000);
        c.set("big-text", text);
        assertThat(c.get("big-text", String.class)).isEqualTo(text);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void nullKeysAreRejected(Path path) {
        CacheOps c = ops(path);
        assertThatThrownBy(() -> c.get(null, String.class)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> c.set(null, "v")).isInstanceOf(NullPointerException.class);
    }

    // ---------------------------------------------------------------- corrupt entries

    @ParameterizedTest
    @EnumSource(Path.class)
    void corruptEntryIsACountedMissAndIsDeleted(Path path) {
        CacheOps c = ops(path);
        String ns = storedNamespace(c);
        backend.set(ns, "garbage", "not an envelope".getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(1));
        backend.set(ns, "truncated", new byte[] {(byte) 0xCA, 1, 3}, Duration.ofMinutes(1));
        byte[] badJson = validHeader(3, "{\"id\": oops".getBytes(StandardCharsets.UTF_8));
        backend.set(ns, "bad-json", badJson, Duration.ofMinutes(1));
        byte[] unknownCodec = validHeader(99, new byte[] {1, 2, 3});
        backend.set(ns, "unknown-codec", unknownCodec, Duration.ofMinutes(1));

        for (String key : List.of("garbage", "truncated", "bad-json", "unknown-codec")) {
            assertThat(c.get(key, User.class)).as(key).isNull();
        }
        assertThat(c.cache().stats().corruptEntries()).isEqualTo(4);
        assertThat(c.cache().stats().hits()).isZero();
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String key : List.of("garbage", "truncated", "bad-json", "unknown-codec")) {
                assertThat(backend.get(ns, key)).as("%s is deleted", key).isNull();
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void entryOfAnotherTypeThrowsNamingBothTypesAndStays(Path path) {
        CacheOps c = ops(path);
        c.set("text", "not a number");
        c.set("user", new User(1, "a", List.of(), Instant.EPOCH));
        for (String key : List.of("text", "user")) {
            assertThatThrownBy(() -> c.get(key, Integer.class))
                    .as(key)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("java.lang.Integer")
                    .hasMessageContaining(key.equals("text") ? "java.lang.String" : "holds a");
        }
        assertThat(c.cache().stats().corruptEntries()).isZero();
        assertThat(c.has("text"))
                .as("a live entry of another type is not deleted")
                .isTrue();
        assertThat(c.get("text", String.class)).isEqualTo("not a number");
        assertThat(c.get("user", User.class).name()).isEqualTo("a");
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void nullTypesAreRejected(Path path) {
        CacheOps c = ops(path);
        c.set("k", "v");
        assertThatThrownBy(() -> c.get("k", (Class<String>) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> c.getWithTtl("k", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> c.getMany(List.of("k"), null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> c.getOrLoad("k", null, null, () -> "w")).isInstanceOf(NullPointerException.class);
        assertThat(c.get("k", String.class)).as("a null type deletes nothing").isEqualTo("v");
        assertThat(c.cache().stats().corruptEntries()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void getOrLoadOfOneKeyAsTwoTypesAtOnceNeverSwapsValues(Path path) throws Exception {
        CacheOps c = ops(path);
        CountDownLatch bothLoading = new CountDownLatch(2);
        AtomicInteger loads = new AtomicInteger();
        Future<Object> text = loaders.submit(() -> c.getOrLoad("k", String.class, null, () -> {
            loads.incrementAndGet();
            bothLoading.countDown();
            bothLoading.await(10, TimeUnit.SECONDS);
            return "text";
        }));
        Future<Object> number = loaders.submit(() -> c.getOrLoad("k", Integer.class, null, () -> {
            loads.incrementAndGet();
            bothLoading.countDown();
            bothLoading.await(10, TimeUnit.SECONDS);
            return 42;
        }));
        assertThat(text.get(30, TimeUnit.SECONDS)).isEqualTo("text");
        assertThat(number.get(30, TimeUnit.SECONDS)).isEqualTo(42);
        assertThat(loads)
                .as("a load of one type is never shared with the other")
                .hasValue(2);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void setIfAbsentWritesOnceAmongConcurrentCallers(Path path) throws Exception {
        CacheOps c = ops(path);
        int callers = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            String value = "v" + i;
            results.add(loaders.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                return c.setIfAbsent("k", value, null);
            }));
        }
        start.countDown();
        int written = 0;
        for (Future<Boolean> r : results) {
            written += r.get(30, TimeUnit.SECONDS) ? 1 : 0;
        }
        assertThat(written).isEqualTo(1);
        assertThat(c.get("k", String.class)).startsWith("v");
        assertThat(c.setIfAbsent("k", "late", null)).isFalse();
        c.set("short", "old", Duration.ofSeconds(5));
        clock.advance(Duration.ofSeconds(6));
        assertThat(c.setIfAbsent("short", "new", null))
                .as("an expired entry is no obstacle")
                .isTrue();
        assertThat(c.get("short", String.class)).isEqualTo("new");
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void disabledCacheAlwaysLoads(Path path) {
        CacheOps c = ops(path, newCache(CachekitConfig.builder().enabled(false)));
        AtomicInteger loads = new AtomicInteger();
        c.set("k", "v");
        assertThat(c.get("k", String.class)).isNull();
        assertThat(c.has("k")).isFalse();
        for (int i = 0; i < 3; i++) {
            c.getOrLoad("k", String.class, null, () -> "v" + loads.incrementAndGet());
        }
        assertThat(loads).hasValue(3);
    }

    // ---------------------------------------------------------------- close

    /**
     * A closed backend fails every operation, saying it is closed: a cache over it must never read as empty or
     * write nowhere. Runs on a second backend of the test's, so the shared one stays open.
     */
    @ParameterizedTest
    @EnumSource(Path.class)
    void everyOperationFailsClearlyAfterClose(Path path) {
        CacheBackend closed = createBackend(new BackendContext(Duration.ofSeconds(10), clock, loaders));
        String ns = "tck-closed-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] value = "v".getBytes(StandardCharsets.UTF_8);
        closed.set(ns, "k", value, Duration.ofMinutes(1));
        closed.close();
        closed.close(); // idempotent

        Map<String, Runnable> operations = new LinkedHashMap<>();
        if (path == Path.SYNC) {
            operations.put("get", () -> closed.get(ns, "k"));
            operations.put("set", () -> closed.set(ns, "k", value, Duration.ofMinutes(1)));
            operations.put("setIfAbsent", () -> closed.setIfAbsent(ns, "new", value, Duration.ofMinutes(1)));
            operations.put("delete", () -> closed.delete(ns, "k"));
            operations.put("clear", () -> closed.clear(ns));
            operations.put("getMany", () -> closed.getMany(ns, List.of("k", "other")));
            operations.put("setMany", () -> closed.setMany(ns, Map.of("k", value), Duration.ofMinutes(1)));
        } else {
            operations.put("getAsync", () -> closed.getAsync(ns, "k").join());
            operations.put("setAsync", () -> closed.setAsync(ns, "k", value, Duration.ofMinutes(1))
                    .join());
            operations.put("setIfAbsentAsync", () -> closed.setIfAbsentAsync(ns, "new", value, Duration.ofMinutes(1))
                    .join());
            operations.put("deleteAsync", () -> closed.deleteAsync(ns, "k").join());
            operations.put("clearAsync", () -> closed.clearAsync(ns).join());
            operations.put("getManyAsync", () -> closed.getManyAsync(ns, List.of("k", "other"))
                    .join());
            operations.put("setManyAsync", () -> closed.setManyAsync(ns, Map.of("k", value), Duration.ofMinutes(1))
                    .join());
        }
        operations.forEach((name, operation) -> {
            Throwable failure = catchThrowable(operation::run);
            if (failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null) {
                failure = failure.getCause();
            }
            assertThat(failure)
                    .as(name + " on a closed backend")
                    .isInstanceOf(io.cachekit.CacheBackendException.class)
                    .hasMessageContaining("closed");
        });
    }

    /**
     * A view made with {@code withNamespace} owns nothing: closing it leaves the backend open for the cache it
     * came from. Closing that cache closes the backend for every view, and their operations then fail.
     */
    @ParameterizedTest
    @EnumSource(Path.class)
    void closingAViewKeepsTheBackendOpenAndClosingTheCacheClosesItForEveryView(Path path) {
        Cache root = Cachekit.create(
                CachekitConfig.builder()
                        .namespace("tck-root-" + UUID.randomUUID().toString().substring(0, 8))
                        .clock(clock)
                        .operationTimeout(Duration.ofSeconds(10))
                        .executor(loaders)
                        .build(),
                createBackend(new BackendContext(Duration.ofSeconds(10), clock, loaders)));
        Cache view = root.withNamespace(root.namespace() + "-view");
        try (Cache sameNamespace = root.withNamespace(root.namespace())) {
            ops(path, sameNamespace).set("k", "root");
        }
        view.close();
        ops(path, view).set("k", "view");
        assertThat(ops(path, root).get("k", String.class)).isEqualTo("root");
        assertThat(ops(path, view).get("k", String.class)).isEqualTo("view");

        root.close();
        root.close(); // idempotent
        for (Cache closed : List.of(root, view)) {
            assertThat(catchThrowable(() -> ops(path, closed).get("k", String.class)))
                    .as("a read of " + closed.namespace() + " after its cache was closed")
                    .isInstanceOf(io.cachekit.CacheBackendException.class)
                    .hasMessageContaining("closed");
            assertThat(catchThrowable(() -> ops(path, closed).set("k", "late")))
                    .as("a write of " + closed.namespace() + " after its cache was closed")
                    .isInstanceOf(io.cachekit.CacheBackendException.class)
                    .hasMessageContaining("closed");
        }
    }

    /** An envelope header (format 1, no flags, expiring in an hour) before {@code payload}. */
    private byte[] validHeader(int codecId, byte[] payload) {
        byte[] out = Arrays.copyOf(new byte[] {(byte) 0xCA, 1, (byte) codecId, 0}, 12 + payload.length);
        long expiresAt = clock.millis() + 3_600_000;
        for (int i = 0; i < 8; i++) {
            out[4 + i] = (byte) (expiresAt >>> (56 - 8 * i));
        }
        System.arraycopy(payload, 0, out, 12, payload.length);
        return out;
    }
}
