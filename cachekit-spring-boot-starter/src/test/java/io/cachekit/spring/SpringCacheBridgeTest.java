package io.cachekit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cachekit.Cache;
import io.cachekit.spring.app.Calls;
import io.cachekit.spring.app.TestApplication;
import io.cachekit.spring.app.User;
import io.cachekit.spring.app.UserRepository;
import io.cachekit.tck.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cache.CacheManager;

/**
 * Existing {@code @Cacheable} code on Cachekit, unchanged. The backend stores by value, so every hit is decoded
 * from JSON: getting a {@link User} back (not a map) shows the resolver's typing works.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SpringCacheBridgeTest {
    private static final AtomicLong IDS = new AtomicLong(2000);

    @Autowired
    UserRepository users;

    @Autowired
    Calls calls;

    @Autowired
    CacheManager cacheManager;

    @Autowired
    Cache cache;

    @Autowired
    ManualClock clock;

    private long id;

    @BeforeEach
    void nextId() {
        id = IDS.incrementAndGet();
    }

    @Test
    void theCacheManagerIsCachekits() {
        assertThat(cacheManager).isInstanceOf(CachekitCacheManager.class);
        assertThat(cacheManager.getCache("users")).isInstanceOf(CachekitSpringCache.class);
        assertThat(((Cache) cacheManager.getCache("users").getNativeCache()).namespace())
                .isEqualTo("users");
    }

    @Test
    void cacheableRunsTheMethodOnceAndReturnsTheDeclaredType() {
        User first = users.find(id);
        User second = users.find(id);
        assertThat(second).isEqualTo(first).isEqualTo(new User(id, "user" + id));
        assertThat(calls.get("find:" + id)).isEqualTo(1);
        assertThat(cache.withNamespace("users").stats().hits()).isPositive();
    }

    @Test
    void severalArgumentsMakeOneStableKey() {
        users.findByName("Ada", "Lovelace" + id);
        users.findByName("Ada", "Lovelace" + id);
        users.findByName("Lovelace" + id, "Ada");
        assertThat(calls.get("findByName:Ada Lovelace" + id)).isEqualTo(1);
        assertThat(calls.get("findByName:Lovelace" + id + " Ada")).isEqualTo(1);
    }

    @Test
    void genericReturnTypesComeBackWhole() {
        List<User> first = users.team("t" + id);
        List<User> second = users.team("t" + id);
        assertThat(second).isEqualTo(first);
        assertThat(second.get(0)).isInstanceOf(User.class);
        assertThat(calls.get("team:t" + id)).isEqualTo(1);
    }

    @Test
    void nullResultsAreCached() {
        assertThat(users.missing(id)).isNull();
        assertThat(users.missing(id)).isNull();
        assertThat(calls.get("missing:" + id)).isEqualTo(1);
    }

    @Test
    void cachePutAndCacheEvictWork() {
        users.save(new User(id, "saved"));
        assertThat(users.find(id)).isEqualTo(new User(id, "saved"));
        assertThat(calls.get("find:" + id)).isZero();

        users.delete(id);
        assertThat(users.find(id)).isEqualTo(new User(id, "user" + id));
        assertThat(calls.get("find:" + id)).isEqualTo(1);
    }

    @Test
    void syncTrueRunsOneLoadPerKey() throws Exception {
        assertThat(users.findSync(id)).isEqualTo(new User(id, "sync" + id));
        assertThat(users.findSync(id)).isEqualTo(new User(id, "sync" + id));
        assertThat(calls.get("findSync:" + id)).isEqualTo(1);
    }

    @Test
    void syncTrueCoalescesConcurrentCalls() throws Exception {
        long key = id;
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<User>> results = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            results.add(CompletableFuture.supplyAsync(() -> {
                try {
                    start.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                return users.findSync(key);
            }));
        }
        start.countDown();
        for (CompletableFuture<User> r : results) {
            assertThat(r.get(10, TimeUnit.SECONDS)).isEqualTo(new User(key, "sync" + key));
        }
        // Calls that arrive after the first load finished are hits; those during it wait for it.
        assertThat(calls.get("findSync:" + key)).isEqualTo(1);
    }

    @Test
    void completableFutureResultsAreCached() throws Exception {
        assertThat(users.findAsync(id).get(10, TimeUnit.SECONDS)).isEqualTo(new User(id, "async" + id));
        // The value is put when the future completes, after the caller got it.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> cache.withNamespace("users-async").has(SpringKeysProbe.key(id)));
        assertThat(users.findAsync(id).get(10, TimeUnit.SECONDS)).isEqualTo(new User(id, "async" + id));
        assertThat(calls.get("findAsync:" + id)).isEqualTo(1);
    }

    @Test
    void completableFutureWithSyncTrueIsCached() throws Exception {
        assertThat(users.findAsyncSync(id).get(10, TimeUnit.SECONDS)).isEqualTo(new User(id, "async-sync" + id));
        assertThat(users.findAsyncSync(id).get(10, TimeUnit.SECONDS)).isEqualTo(new User(id, "async-sync" + id));
        assertThat(calls.get("findAsyncSync:" + id)).isEqualTo(1);
    }

    @Test
    void springCachesUseTheDefaultTtl() {
        // users has no TTL of its own: the default, one hour.
        users.find(id);
        clock.advance(Duration.ofMinutes(59));
        users.find(id);
        assertThat(calls.get("find:" + id)).isEqualTo(1);
        clock.advance(Duration.ofMinutes(2));
        users.find(id);
        assertThat(calls.get("find:" + id)).isEqualTo(2);
    }

    @Test
    void keysAreReadableThroughTheCachekitApi() {
        users.find(id);
        // A Spring key is an Object, so its canonical text names its type: 1 and 1L are different Spring keys.
        assertThat(SpringKeysProbe.key(id)).isEqualTo("long:" + id);
        User stored = cache.withNamespace("users").get("long:" + id, User.class);
        assertThat(stored).isEqualTo(new User(id, "user" + id));
    }

    /** The key a Spring key becomes, for tests that look into the namespace. */
    static final class SpringKeysProbe {
        static String key(long id) {
            return io.cachekit.spring.internal.SpringCacheKeys.key(id);
        }
    }
}
