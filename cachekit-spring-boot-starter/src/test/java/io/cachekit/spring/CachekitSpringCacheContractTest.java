package io.cachekit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.Cache;
import io.cachekit.Cachekit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.cache.Cache.ValueRetrievalException;
import org.springframework.cache.Cache.ValueWrapper;

/**
 * Point 8 of issue 8: {@link CachekitSpringCache} meets Spring's cache contract, the cases of Spring's own
 * AbstractCacheTests and AbstractValueAdaptingCacheTests (written here, for Cachekit), on a store that keeps
 * references and on one that keeps bytes. Loaders count their calls.
 */
class CachekitSpringCacheContractTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private final List<Cache> opened = new ArrayList<>();

    @AfterEach
    void close() {
        pool.shutdownNow();
        opened.forEach(Cache::close);
    }

    private CachekitSpringCache cache(String uri) {
        String name = "spring-" + UUID.randomUUID().toString().substring(0, 8);
        Cache native_ = Cachekit.fromUri(uri + (uri.contains("?") ? "&" : "?") + "namespace=" + name);
        opened.add(native_);
        return new CachekitSpringCache(name, native_, null, false, Object.class);
    }

    private static final String BY_REFERENCE = "memory://";
    private static final String BY_VALUE = "memory://?storeByValue=true";

    @ParameterizedTest
    @ValueSource(strings = {BY_REFERENCE, BY_VALUE})
    void nameAndNativeCache(String uri) {
        CachekitSpringCache cache = cache(uri);
        assertThat(cache.getName()).startsWith("spring-");
        assertThat(cache.getNativeCache().namespace()).isEqualTo(cache.getName());
    }

    @ParameterizedTest
    @ValueSource(strings = {BY_REFERENCE, BY_VALUE})
    void putThenGet(String uri) {
        CachekitSpringCache cache = cache(uri);
        assertThat(cache.get("k")).isNull();
        assertThat(cache.get("k", String.class)).isNull();
        cache.put("k", "v");
        assertThat(cache.get("k").get()).isEqualTo("v");
        assertThat(cache.get("k", String.class)).isEqualTo("v");
        assertThat(cache.get("k", Object.class)).isEqualTo("v");
        assertThat(cache.get("k", (Class<String>) null)).isEqualTo("v");
        cache.put("k", "w");
        assertThat(cache.get("k", String.class)).as("put replaces").isEqualTo("w");
    }

    @ParameterizedTest
    @ValueSource(strings = {BY_REFERENCE, BY_VALUE})
    void nullValuesAreStoredAndToldApartFromMisses(String uri) {
        CachekitSpringCache cache = cache(uri);
        cache.put("k", null);
        ValueWrapper wrapper = cache.get("k");
        assertThat(wrapper).as("a cached null is a hit").isNotNull();
        assertThat(wrapper.get()).isNull();
        assertThat(cache.get("k", String.class)).isNull();
        assertThat(cache.putIfAbsent("k", "v")).as("a cached null is present").isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {BY_REFERENCE, BY_VALUE})
    void aValueOfAnotherTypeIsAnIllegalStateException(String uri) {
        CachekitSpringCache cache = cache(uri);
        cache.put("k", "text");
        assertThatThrownBy(() -> cache.get("k", Integer.class))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("java.lang.Integer");
        assertThat(cache.get("k", String.class)).as("the entry stays").isEqualTo("text");
        CachekitSpringCache typed = cache.typed(Integer.class);
        assertThat(typed.get("k")).as("a typed view reads it as a miss").isNull();
        AtomicInteger loads = new AtomicInteger();
        assertThat(typed.get("k", () -> loads.incrementAndGet())).isEqualTo(1);
        assertThat(typed.get("k", () -> loads.incrementAndGet()))
                .as("and replaces it")
                .isEqualTo(1);
        assertThat(loads).hasValue(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {BY_REFERENCE, BY_VALUE})
    void putIfAbsentWritesOnlyWhenAbsent(String uri) {
        CachekitSpringCache cache = cache(uri);
        assertThat(cache.putIfAbsent("k", "first")).isNull();
        assertThat(cache.get("k", String.class)).isEqualTo("first");
        ValueWrapper existing = cache.putIfAbsent("k", "second");
        assertThat(existing).isNotNull();
        assertThat(existing.get()).isEqualTo("first");
        assertThat(cache.get("k", String.class)).isEqualTo("first");
        assertThat(cache.putIfAbsent("n", null)).isNull();
        assertThat(cache.get("n")).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {BY_REFERENCE, BY_VALUE})
    void putIfAbsentIsAtomicOnTheStore(String uri) throws Exception {
        CachekitSpringCache cache = cache(uri);
        for (int round = 0; round < 20; round++) {
            String key = "k" + round;
            CountDownLatch start = new CountDownLatch(1);
            List<Future<ValueWrapper>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String value = "v" + i;
                results.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return cache.putIfAbsent(key, value);
                }));
            }
            start.countDown();
            int winners = 0;
            List<Object> seen = new ArrayList<>();
            for (Future<ValueWrapper> r : results) {
                ValueWrapper w = r.get(10, TimeUnit.SECONDS);
                if (w == null) {
                    winners++;
                } else {
                    seen.add(w.get());
                }
            }
            assertThat(winners).as("round %d", round).isEqualTo(1);
            Object stored = cache.get(key, String.class);
            assertThat(seen).as("every loser saw the winner's value").allMatch(stored::equals);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {BY_REFERENCE, BY_VALUE})
    void evictAndEvictIfPresent(String uri) {
        CachekitSpringCache cache = cache(uri);
        cache.put("a", "1");
        cache.put("b", "2");
        cache.evict("a");
        assertThat(cache.get("a")).isNull();
        assertThat(cache.evictIfPresent("b")).isTrue();
        assertThat(cache.evictIfPresent("b")).isFalse();
        assertThat(cache.get("b")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {BY_REFERENCE, BY_VALUE})
    void clearAndInvalidateEmptyTheCacheOnly(String uri) {
        CachekitSpringCache cache = cache(uri);
        CachekitSpringCache other = cache(uri);
        cache.put("a", "1");
        other.put("a", "kept");
        cache.clear();
        assertThat(cache.get("a")).isNull();
        cache.put("b", "2");
        cache.invalidate();
        assertThat(cache.get("b")).isNull();
        assertThat(other.get("a", String.class)).isEqualTo("kept");
    }

    @ParameterizedTest
    @ValueSource(strings = {BY_REFERENCE, BY_VALUE})
    void syncGetWithALoader(String uri) {
        CachekitSpringCache cache = cache(uri);
        AtomicInteger loads = new AtomicInteger();
        assertThat(cache.get("k", () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
        assertThat(cache.get("k", () -> "v" + loads.incrementAndGet()))
                .as("not invoked on a hit")
                .isEqualTo("v1");
        Object loadedNull = cache.get("n", () -> {
            loads.incrementAndGet();
            return null;
        });
        assertThat(loadedNull).isNull();
        assertThat(cache.get("n", () -> "never")).as("a loaded null is cached").isNull();
        assertThat(loads).hasValue(2);
        cache.put("p", "present");
        assertThat(cache.get("p", () -> "never")).isEqualTo("present");
    }

    @ParameterizedTest
    @ValueSource(strings = {BY_REFERENCE, BY_VALUE})
    void syncGetWrapsALoaderFailureAndCachesNothing(String uri) {
        CachekitSpringCache cache = cache(uri);
        assertThatThrownBy(() -> cache.get("k", () -> {
                    throw new java.io.IOException("down");
                }))
                .isInstanceOf(ValueRetrievalException.class)
                .hasRootCauseMessage("down");
        assertThat(cache.get("k")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {BY_REFERENCE, BY_VALUE})
    void syncGetLoadsOnceAmongConcurrentCallers(String uri) throws Exception {
        CachekitSpringCache cache = cache(uri);
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch inLoader = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<Object> first = pool.submit(() -> cache.get("k", () -> {
            loads.incrementAndGet();
            inLoader.countDown();
            release.await(10, TimeUnit.SECONDS);
            return "v";
        }));
        assertThat(inLoader.await(10, TimeUnit.SECONDS)).isTrue();
        List<Future<Object>> others = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            others.add(pool.submit(() -> cache.get("k", () -> "v" + loads.incrementAndGet())));
        }
        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("v");
        for (Future<Object> other : others) {
            assertThat(other.get(10, TimeUnit.SECONDS)).isEqualTo("v");
        }
        assertThat(loads).hasValue(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {BY_REFERENCE, BY_VALUE})
    void retrieveCompletesWithAWrapperOnAHitAndNullOnAMiss(String uri) throws Exception {
        CachekitSpringCache cache = cache(uri);
        assertThat(cache.retrieve("k").get(10, TimeUnit.SECONDS)).isNull();
        cache.put("k", "v");
        assertThat(((ValueWrapper) cache.retrieve("k").get(10, TimeUnit.SECONDS)).get())
                .isEqualTo("v");
        cache.put("n", null);
        ValueWrapper nullHit = (ValueWrapper) cache.retrieve("n").get(10, TimeUnit.SECONDS);
        assertThat(nullHit).isNotNull();
        assertThat(nullHit.get()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {BY_REFERENCE, BY_VALUE})
    void retrieveWithALoaderLoadsOnceAndNeverCachesAFailure(String uri) throws Exception {
        CachekitSpringCache cache = cache(uri);
        AtomicInteger loads = new AtomicInteger();
        assertThatThrownBy(() -> cache.retrieve("k", () -> {
                            loads.incrementAndGet();
                            return CompletableFuture.<String>failedFuture(new IllegalStateException("down"));
                        })
                        .get(10, TimeUnit.SECONDS))
                .hasRootCauseMessage("down");
        for (int i = 0; i < 2; i++) {
            assertThat(cache.retrieve("k", () -> {
                                loads.incrementAndGet();
                                return CompletableFuture.completedFuture("v");
                            })
                            .get(10, TimeUnit.SECONDS))
                    .isEqualTo("v");
        }
        assertThat(loads).as("the failure, then one load").hasValue(2);
        assertThat(cache.get("k", String.class)).isEqualTo("v");
    }
}
