package io.cachekit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.cachekit.Cache;
import io.cachekit.CacheLoaderException;
import io.cachekit.CachekitConfig;
import io.cachekit.tck.CacheOps.Path;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Loading and racing writers: {@code getOrLoad} loads once and then hits, caches a loaded null, never caches a
 * failure, runs one load for concurrent callers of a key and shares its outcome, never hands a load of one type
 * to a caller of another; {@code setIfAbsent} writes once among concurrent callers; a disabled cache always
 * loads. Each test counts the loader's runs, over the sync API and over the async view.
 *
 * <p>{@link CacheBackendContract} runs it for every backend as a nested section.
 */
public abstract class LoadingContract {
    /** A cache in a new namespace over the backend under test, on the contract's clock, with the caller's settings. */
    protected abstract Cache newCache(CachekitConfig.Builder settings);

    /** Moves the contract's clock on. */
    protected abstract void advance(Duration duration);

    /** The executor of the caches and of the async view, which these tests also use to race callers. */
    protected abstract ExecutorService executor();

    private CacheOps ops(Path path) {
        return ops(path, newCache(CachekitConfig.builder()));
    }

    private CacheOps ops(Path path, Cache cache) {
        return CacheOps.of(cache, path, executor());
    }

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
        advance(Duration.ofMinutes(2));
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

    @ParameterizedTest
    @EnumSource(Path.class)
    void getOrLoadOfOneKeyAsTwoTypesAtOnceNeverSwapsValues(Path path) throws Exception {
        CacheOps c = ops(path);
        CountDownLatch bothLoading = new CountDownLatch(2);
        AtomicInteger loads = new AtomicInteger();
        Future<Object> text = executor()
                .submit(() -> c.getOrLoad("k", String.class, null, () -> {
                    loads.incrementAndGet();
                    bothLoading.countDown();
                    bothLoading.await(10, TimeUnit.SECONDS);
                    return "text";
                }));
        Future<Object> number = executor()
                .submit(() -> c.getOrLoad("k", Integer.class, null, () -> {
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
            results.add(executor().submit(() -> {
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
        advance(Duration.ofSeconds(6));
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
}
