package io.cachekit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.Cache;
import io.cachekit.Cached;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Where user code runs: loaders, the real methods behind async {@link Cached} methods, and callbacks on the
 * futures of the async view run on the cache's configured executor (or the caller's thread), never on a store
 * client's I/O thread or a timer thread, where a blocking call would stall every other operation.
 *
 * <p>{@link CacheBackendContract} runs it for every backend as a nested section, with an executor whose threads
 * are named {@link #EXECUTOR_THREAD_PREFIX}. Each test works in a namespace of its own.
 */
public abstract class ThreadingContract {
    /** The name prefix of the executor's threads in {@link CacheBackendContract}. */
    public static final String EXECUTOR_THREAD_PREFIX = "tck-executor-";

    /** A cache in a new namespace over the backend under test, with the named executor. */
    protected abstract Cache newCache();

    /** A service with an async cached method that records the thread it ran on. */
    public interface Rates {
        /** The rate of {@code currency}, computed on the thread that runs it. */
        @Cached(ttl = "10m")
        CompletableFuture<String> rate(String currency);
    }

    @Test
    void asyncLoadersRunOnTheExecutor() throws Exception {
        Cache cache = newCache();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        AtomicInteger loads = new AtomicInteger();
        String value = cache.async()
                .getOrLoad("k", String.class, Duration.ofMinutes(5), () -> {
                    loads.incrementAndGet();
                    ranOn.set(Thread.currentThread());
                    return CompletableFuture.completedFuture("loaded");
                })
                .get(30, TimeUnit.SECONDS);
        assertThat(value).isEqualTo("loaded");
        assertThat(loads).hasValue(1);
        assertThat(ranOn.get().getName()).startsWith(EXECUTOR_THREAD_PREFIX);
    }

    @Test
    void theRealMethodOfAnAsyncCachedMethodRunsOnTheExecutor() throws Exception {
        Cache cache = newCache();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        Rates rates = cache.proxy(Rates.class, currency -> {
            calls.incrementAndGet();
            ranOn.set(Thread.currentThread());
            return CompletableFuture.completedFuture("rate of " + currency);
        });
        assertThat(rates.rate("eur").get(30, TimeUnit.SECONDS)).isEqualTo("rate of eur");
        assertThat(rates.rate("eur").get(30, TimeUnit.SECONDS)).isEqualTo("rate of eur");
        assertThat(calls).as("one call, then a hit").hasValue(1);
        assertThat(ranOn.get().getName()).startsWith(EXECUTOR_THREAD_PREFIX);
    }

    @Test
    void callbacksOnAsyncResultsRunOffTheStoreClientsThreads() throws Exception {
        Cache cache = newCache();
        cache.set("k", "v");
        Thread caller = Thread.currentThread();
        for (int i = 0; i < 20; i++) {
            Thread ranOn = cache.async()
                    .get("k", String.class)
                    .thenApply(v -> Thread.currentThread())
                    .get(30, TimeUnit.SECONDS);
            assertThat(ranOn == caller || ranOn.getName().startsWith(EXECUTOR_THREAD_PREFIX))
                    .as("a callback ran on %s", ranOn.getName())
                    .isTrue();
        }
    }
}
