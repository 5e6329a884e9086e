package io.cachekit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.Cache;
import io.cachekit.CacheEvict;
import io.cachekit.Cached;
import io.cachekit.CachekitConfig;
import io.cachekit.Tags;
import io.cachekit.TypeRef;
import io.cachekit.tck.CacheOps.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tag invalidation on the backend under test: entries written with {@link Tags} are misses once one of their tags
 * is invalidated, in every namespace of the key prefix and in every process on the store, and nothing else is.
 * Each test counts the loader's or real method's runs, and works under a key prefix of its own, so that its tags
 * meet no other test's, on a server shared with other runs too.
 *
 * <p>{@link CacheBackendContract} runs it for every backend as a nested section; a cache made with {@link
 * #sameStore} stands for another process: its own runtime, loads in flight and tag versions, on the same store.
 */
public abstract class TagContract {
    private static final Duration TTL = Duration.ofMinutes(10);

    /** A cache with {@code settings} (a namespace of its own is set) over the backend under test. */
    protected abstract Cache newCache(CachekitConfig.Builder settings);

    /** Another process's cache with exactly {@code config}, on the same store as the backend under test. */
    protected abstract Cache sameStore(CachekitConfig config);

    /** Moves the contract's clock on. */
    protected abstract void advance(Duration duration);

    /** The executor that async loaders run on. */
    protected abstract Executor executor();

    /** A cache under a new key prefix, so that its tags are this test's alone. */
    private Cache newCache() {
        return newCache(CachekitConfig.builder().keyPrefix(unique("tags")));
    }

    private static String unique(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private CacheOps ops(Cache cache, Path path) {
        return CacheOps.of(cache, path, executor());
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void invalidatingOneTagOfAnEntryMakesItAMissAndLeavesOthers(Path path) {
        CacheOps c = ops(newCache(), path);
        c.set("both", "b", TTL, Tags.of("user:42", "org:7"));
        c.set("org", "o", TTL, Tags.of("org:7"));
        c.set("user", "u", TTL, Tags.of("user:42"));
        c.set("plain", "p", TTL);
        assertThat(c.get("both", String.class)).isEqualTo("b");

        c.invalidateTags("user:42");
        assertThat(c.get("both", String.class)).as("one of its two tags").isNull();
        assertThat(c.getWithTtl("both", String.class)).isNull();
        assertThat(c.has("both")).isFalse();
        assertThat(c.get("user", String.class)).isNull();
        assertThat(c.get("org", String.class)).as("the other tag is valid").isEqualTo("o");
        assertThat(c.get("plain", String.class)).isEqualTo("p");

        c.set("both", "b2", TTL, Tags.of("user:42", "org:7"));
        assertThat(c.get("both", String.class))
                .as("written again after the invalidation")
                .isEqualTo("b2");
        c.invalidateTags("org:7", "nobody:carries-this");
        assertThat(c.getMany(List.of("both", "org", "plain"), String.class)).containsOnlyKeys("plain");
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void aTaggedLoadRunsAgainOnlyAfterAnInvalidation(Path path) {
        CacheOps c = ops(newCache(), path);
        AtomicInteger loads = new AtomicInteger();
        Tags tags = Tags.of("user:1");
        assertThat(c.getOrLoad("k", String.class, TTL, tags, () -> "v" + loads.incrementAndGet()))
                .isEqualTo("v1");
        assertThat(c.getOrLoad("k", String.class, TTL, tags, () -> "v" + loads.incrementAndGet()))
                .isEqualTo("v1");
        c.invalidateTags("user:1");
        assertThat(c.getOrLoad("k", String.class, TTL, tags, () -> "v" + loads.incrementAndGet()))
                .isEqualTo("v2");
        assertThat(c.getOrLoad("k", String.class, TTL, tags, () -> "v" + loads.incrementAndGet()))
                .isEqualTo("v2");
        assertThat(loads).hasValue(2);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void anInvalidationWhileTheLoaderRunsLeavesTheNewEntryInvalid(Path path) {
        Cache cache = newCache();
        Cache other = sameStore(cache.config());
        CacheOps c = ops(cache, path);
        AtomicInteger loads = new AtomicInteger();
        String first = c.getOrLoad("k", String.class, TTL, Tags.of("stock"), () -> {
            loads.incrementAndGet();
            String computed = "computed before the change";
            other.invalidateTags("stock"); // the data changed and was invalidated while this value was computed
            return computed;
        });
        assertThat(first).isEqualTo("computed before the change");
        assertThat(c.get("k", String.class))
                .as("written with the versions read before the loader")
                .isNull();
        assertThat(c.getOrLoad("k", String.class, TTL, Tags.of("stock"), () -> "v" + loads.incrementAndGet()))
                .isEqualTo("v2");
        assertThat(loads).hasValue(2);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void tagsCrossNamespacesAndClearRemovesOneNamespaceOnly(Path path) {
        Cache users = newCache();
        Cache orders = users.withNamespace(unique("orders"));
        CacheOps u = ops(users, path);
        CacheOps o = ops(orders, path);
        u.set("profile", "p", TTL, Tags.of("user:9"));
        o.set("history", "h", TTL, Tags.of("user:9"));
        o.set("other", "x", TTL, Tags.of("user:10"));

        u.clear();
        assertThat(u.get("profile", String.class)).isNull();
        assertThat(o.get("history", String.class))
                .as("clear removes its namespace only")
                .isEqualTo("h");

        u.invalidateTags("user:9");
        assertThat(o.get("history", String.class))
                .as("invalidated from another namespace")
                .isNull();
        assertThat(o.get("other", String.class)).isEqualTo("x");
        u.set("profile", "p2", TTL, Tags.of("user:9"));
        assertThat(u.get("profile", String.class)).isEqualTo("p2");
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void anInvalidationInOneProcessIsSeenByAnother(Path path) {
        Cache first = newCache();
        Cache second = sameStore(first.config());
        CacheOps a = ops(first, path);
        CacheOps b = ops(second, path);
        AtomicInteger loads = new AtomicInteger();
        assertThat(a.getOrLoad("k", String.class, TTL, Tags.of("price"), () -> "v" + loads.incrementAndGet()))
                .isEqualTo("v1");
        assertThat(b.get("k", String.class))
                .as("the other process reads the entry")
                .isEqualTo("v1");

        b.invalidateTags("price");
        assertThat(a.get("k", String.class)).isNull();
        assertThat(a.getOrLoad("k", String.class, TTL, Tags.of("price"), () -> "v" + loads.incrementAndGet()))
                .isEqualTo("v2");
        assertThat(b.get("k", String.class)).isEqualTo("v2");
        assertThat(loads).hasValue(2);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void bulkAndConditionalWritesCarryTags(Path path) {
        CacheOps c = ops(newCache(), path);
        c.setMany(Map.of("a", "1", "b", "2"), TTL, Tags.of("batch"));
        c.set("c", "3", TTL);
        assertThat(c.getMany(List.of("a", "b", "c"), String.class)).containsOnlyKeys("a", "b", "c");
        c.invalidateTags("batch");
        assertThat(c.getMany(List.of("a", "b", "c"), String.class)).containsOnlyKeys("c");

        assertThat(c.setIfAbsent("a", "new", TTL, Tags.of("batch")))
                .as("an invalidated entry is no entry in the way")
                .isTrue();
        assertThat(c.get("a", String.class)).isEqualTo("new");
        assertThat(c.setIfAbsent("a", "newer", TTL, Tags.of("batch"))).isFalse();
        c.invalidateTags("batch");
        assertThat(c.get("a", String.class)).isNull();
    }

    @Test
    void taggedEntriesStillExpireAndCachedNullsAreTaggedToo() {
        Cache cache = newCache();
        cache.set("short", "s", Duration.ofSeconds(30), Tags.of("t"));
        cache.set("nothing", null, TTL, Tags.of("t"));
        assertThat(cache.getWithTtl("nothing", String.class)).isNotNull();
        advance(Duration.ofSeconds(31));
        assertThat(cache.get("short", String.class)).isNull();
        cache.invalidateTags("t");
        assertThat(cache.getWithTtl("nothing", String.class)).isNull();
    }

    @Test
    void staleWindowsAndTagsCompose() {
        Cache cache = newCache();
        AtomicInteger loads = new AtomicInteger();
        TypeRef<String> type = TypeRef.of(String.class);
        Duration ttl = Duration.ofMinutes(1);
        Duration staleFor = Duration.ofMinutes(10);
        assertThat(cache.getOrLoad("k", type, ttl, staleFor, Tags.of("s"), () -> "v" + loads.incrementAndGet()))
                .isEqualTo("v1");
        advance(ttl.plusSeconds(1));
        assertThat(cache.getOrLoad("k", type, ttl, staleFor, Tags.of("s"), () -> "v" + loads.incrementAndGet()))
                .as("stale and still valid: served at once")
                .isEqualTo("v1");
        Awaitility.await("refreshed").atMost(Duration.ofSeconds(30)).until(() -> loads.get() == 2);
        Awaitility.await("the refresh is written")
                .atMost(Duration.ofSeconds(30))
                .until(() -> "v2".equals(cache.get("k", String.class)));

        advance(ttl.plusSeconds(1));
        cache.invalidateTags("s");
        assertThat(cache.getOrLoad("k", type, ttl, staleFor, Tags.of("s"), () -> "v" + loads.incrementAndGet()))
                .as("stale but invalidated: never served")
                .isEqualTo("v3");
    }

    @Test
    void badTagsAreRefusedNamingTheProblem() {
        Cache cache = newCache();
        assertThatThrownBy(() -> Tags.of(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> Tags.of("x".repeat(Tags.MAX_LENGTH + 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most " + Tags.MAX_LENGTH);
        List<String> many = new ArrayList<>();
        for (int i = 0; i <= Tags.MAX_TAGS; i++) {
            many.add("t" + i);
        }
        assertThatThrownBy(() -> Tags.of(many))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most " + Tags.MAX_TAGS);
        assertThatThrownBy(() -> cache.invalidateTags("ok", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThat(Tags.of("a", "b", "a").asList()).containsExactly("a", "b");
        assertThat(Tags.of("x".repeat(Tags.MAX_LENGTH)).size()).isEqualTo(1);
    }

    /** A repository whose entries are tagged by user, and by a constant tag for all of them. */
    public interface Profiles {
        /** The name of user {@code id}. */
        @Cached(
                ttl = "10m",
                tags = {"user:{0}", "profiles"})
        String name(long id);

        /** The email of user {@code id}. */
        @Cached(ttl = "10m", tags = "user:{0}")
        String email(long id);

        /** The avatar of user {@code id}, cached without blocking. */
        @Cached(ttl = "10m", tags = "user:{0}")
        CompletableFuture<String> avatar(long id);

        /** Changes user {@code id}: every entry about it is invalidated. */
        @CacheEvict(tags = "user:{0}")
        void rename(long id, String name);

        /** Reloads every profile. */
        @CacheEvict(tags = "profiles")
        CompletableFuture<Void> reload();
    }

    /** Counts the real calls of each method. */
    static final class CountingProfiles implements Profiles {
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        int calls(String method) {
            return calls.computeIfAbsent(method, m -> new AtomicInteger()).get();
        }

        private int call(String method) {
            return calls.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public String name(long id) {
            return "name " + id + " #" + call("name");
        }

        @Override
        public String email(long id) {
            return "email " + id + " #" + call("email");
        }

        @Override
        public CompletableFuture<String> avatar(long id) {
            return CompletableFuture.completedFuture("avatar " + id + " #" + call("avatar"));
        }

        @Override
        public void rename(long id, String name) {
            call("rename");
        }

        @Override
        public CompletableFuture<Void> reload() {
            call("reload");
            return CompletableFuture.completedFuture(null);
        }
    }

    @Test
    void cachedAndCacheEvictTagsCountedByTheRealMethodsCalls() throws Exception {
        Cache cache = newCache();
        CountingProfiles real = new CountingProfiles();
        Profiles profiles = cache.proxy(Profiles.class, real);
        Profiles elsewhere = sameStore(cache.config()).proxy(Profiles.class, new CountingProfiles());
        profiles.name(1);
        profiles.name(1);
        profiles.email(1);
        profiles.name(2);
        assertThat(profiles.avatar(1).get(30, TimeUnit.SECONDS)).isEqualTo("avatar 1 #1");
        assertThat(profiles.avatar(1).get(30, TimeUnit.SECONDS)).isEqualTo("avatar 1 #1");
        assertThat(real.calls("name")).isEqualTo(2);
        assertThat(real.calls("email")).isEqualTo(1);

        elsewhere.rename(1, "Ada"); // in another process
        assertThat(profiles.name(1)).isEqualTo("name 1 #3");
        assertThat(profiles.email(1)).isEqualTo("email 1 #2");
        assertThat(profiles.avatar(1).get(30, TimeUnit.SECONDS)).isEqualTo("avatar 1 #2");
        assertThat(profiles.name(2)).as("user 2 is untouched").isEqualTo("name 2 #2");

        profiles.reload().get(30, TimeUnit.SECONDS);
        assertThat(profiles.name(2)).isEqualTo("name 2 #4");
        assertThat(profiles.email(1)).as("not tagged profiles").isEqualTo("email 1 #2");
        assertThat(real.calls("name")).isEqualTo(4);
        assertThat(real.calls("reload")).isEqualTo(1);
    }

    @Test
    void aProcessKeepingTagVersionsSeesAnotherProcesssInvalidationOnceItsWindowPassed() {
        Cache keeping =
                newCache(CachekitConfig.builder().keyPrefix(unique("tags")).tagVersionCache(Duration.ofSeconds(1)));
        Cache other =
                sameStore(keeping.config().toBuilder().tagVersionCache(null).build());
        keeping.set("k", "v", TTL, Tags.of("t"));
        assertThat(keeping.get("k", String.class)).isEqualTo("v");
        other.invalidateTags("t");
        assertThat(other.get("k", String.class)).isNull();
        advance(Duration.ofSeconds(2));
        assertThat(keeping.get("k", String.class)).as("the window has passed").isNull();

        keeping.set("k", "v2", TTL, Tags.of("t"));
        assertThat(keeping.get("k", String.class)).isEqualTo("v2");
        keeping.invalidateTags("t");
        assertThat(keeping.get("k", String.class))
                .as("its own invalidation is seen at once")
                .isNull();
    }

    /** Reads the source, then takes a little time, so that invalidations land during loads and callers wait. */
    private static long slowly(AtomicLong source) {
        long value = source.get();
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(300));
        return value;
    }

    @Test
    void aCallerThatWaitedForALoadThatPredatesAnInvalidationDoesNotTakeItsValue() throws Exception {
        Cache cache = newCache();
        Tags tags = Tags.of("t");
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(
                () -> cache.getOrLoad("k", String.class, TTL, tags, () -> {
                    loading.countDown();
                    proceed.await(30, TimeUnit.SECONDS);
                    return "computed before the change";
                }),
                executor());
        assertThat(loading.await(30, TimeUnit.SECONDS)).isTrue();
        cache.invalidateTags("t");
        CompletableFuture<String> second = new CompletableFuture<>();
        Thread waiter = new Thread(() -> second.complete(cache.getOrLoad("k", String.class, TTL, tags, () -> "new")));
        waiter.start();
        // Let the second caller join the first one's load if it will; the assertions hold either way.
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> waiter.getState() == Thread.State.TIMED_WAITING || !waiter.isAlive());
        proceed.countDown();
        assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("computed before the change");
        assertThat(second.get(30, TimeUnit.SECONDS))
                .as("called after the invalidation returned")
                .isEqualTo("new");
        assertThat(cache.get("k", String.class)).isEqualTo("new");
    }

    /**
     * Eight threads: two invalidate a tag after changing the source, six read and load through two processes
     * (sync and async). A read that starts after an invalidation returned must never see a value older than the
     * change it invalidated.
     */
    @Test
    void concurrentWritesAndInvalidationsNeverServeAnInvalidatedValue() throws Exception {
        Cache first = newCache();
        Cache second = sameStore(first.config());
        Tags tags = Tags.of("stock", "catalog");
        AtomicLong source = new AtomicLong();
        AtomicLong invalidated = new AtomicLong(); // the newest source version whose invalidation returned
        AtomicInteger reads = new AtomicInteger();
        List<String> stale = Collections.synchronizedList(new ArrayList<>());
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int id = t;
            Cache cache = t % 2 == 0 ? first : second;
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    if (id < 2) {
                        for (int i = 0; i < 25; i++) {
                            long version = source.incrementAndGet();
                            cache.invalidateTags(id == 0 ? "stock" : "catalog");
                            invalidated.accumulateAndGet(version, Math::max);
                        }
                        return;
                    }
                    for (int i = 0; i < 100; i++) {
                        String key = "item" + (i % 3);
                        long floor = invalidated.get();
                        long read = id % 3 == 0
                                ? cache.async()
                                        .getOrLoad(
                                                key,
                                                Long.class,
                                                TTL,
                                                tags,
                                                () -> CompletableFuture.supplyAsync(source::get, executor()))
                                        .get(30, TimeUnit.SECONDS)
                                : cache.getOrLoad(key, Long.class, TTL, tags, source::get);
                        reads.incrementAndGet();
                        if (read < floor) {
                            stale.add(key + " read " + read + " after the invalidation of " + floor);
                        }
                        Long hit = cache.get(key, Long.class);
                        if (hit != null && hit < floor) {
                            stale.add(key + " hit " + hit + " after the invalidation of " + floor);
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread thread : threads) {
            thread.join(TimeUnit.MINUTES.toMillis(5));
        }
        assertThat(failures).isEmpty();
        assertThat(reads).hasValue(600);
        assertThat(stale).as("values read after their invalidation returned").isEmpty();
        first.invalidateTags("stock");
        assertThat(second.getOrLoad("item0", Long.class, TTL, tags, source::get))
                .isEqualTo(source.get());
    }
}
