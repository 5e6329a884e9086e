package io.cachekit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.Cache;
import io.cachekit.CacheEntry;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.TypeRef;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.tck.CacheOps.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Stale} ({@link StaleContract}), {@code Tagging} ({@link TagContract}), {@code Expiry} ({@link
 * ExpiryContract}), {@code EntryForm} ({@link EntryFormContract}), {@code Loading} ({@link LoadingContract}) and {@code Closing} ({@link ClosingContract}).
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

    /** Expiry ({@link ExpiryContract}), over the backend under test. */
    @Nested
    class Expiry extends ExpiryContract {
        @Override
        protected Cache newCache(CachekitConfig.Builder settings) {
            return CacheBackendContract.this.newCache(settings);
        }

        @Override
        protected void advance(Duration duration) {
            clock.advance(duration);
        }

        @Override
        protected Executor executor() {
            return loaders;
        }

        @Override
        protected Set<BackendCapability> capabilities() {
            return CacheBackendContract.this.capabilities();
        }
    }

    /** Keys and stored entries ({@link EntryFormContract}), over the backend under test. */
    @Nested
    class EntryForm extends EntryFormContract {
        @Override
        protected Cache newCache(CachekitConfig.Builder settings) {
            return CacheBackendContract.this.newCache(settings);
        }

        @Override
        protected Executor executor() {
            return loaders;
        }

        @Override
        protected CacheBackend backend() {
            return backend;
        }

        @Override
        protected long nowMillis() {
            return clock.millis();
        }
    }

    /** Loading and racing writers ({@link LoadingContract}), over the backend under test. */
    @Nested
    class Loading extends LoadingContract {
        @Override
        protected Cache newCache(CachekitConfig.Builder settings) {
            return CacheBackendContract.this.newCache(settings);
        }

        @Override
        protected void advance(Duration duration) {
            clock.advance(duration);
        }

        @Override
        protected ExecutorService executor() {
            return loaders;
        }
    }

    /** Closed backends and views ({@link ClosingContract}), on backends of the kind under test. */
    @Nested
    class Closing extends ClosingContract {
        @Override
        protected CacheBackend newBackend() {
            return createBackend(new BackendContext(Duration.ofSeconds(10), clock, loaders));
        }

        @Override
        protected Cache newCache(CachekitConfig.Builder settings, CacheBackend backend) {
            return Cachekit.create(
                    settings.clock(clock)
                            .operationTimeout(Duration.ofSeconds(10))
                            .executor(loaders)
                            .build(),
                    backend);
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
}
