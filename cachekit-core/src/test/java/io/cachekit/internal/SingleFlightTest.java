package io.cachekit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.Cache;
import io.cachekit.CacheLoaderException;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Point 7 of issue 8: single-flight by namespace, key and type; no deadlock, bounded waits, nothing left. */
class SingleFlightTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final Cache cache = Cachekit.create(CachekitConfig.builder()
            .backend("memory://")
            .loadTimeout(Duration.ofMillis(300))
            .build());
    private final SingleFlight flights = ((DefaultCache) cache).runtime.flights;

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void aReentrantLoadOfTheSameKeyFailsFastInsteadOfDeadlocking() {
        AtomicInteger loads = new AtomicInteger();
        assertThatThrownBy(() -> cache.getOrLoad("k", String.class, null, () -> {
                    loads.incrementAndGet();
                    return cache.getOrLoad("k", String.class, null, () -> "inner");
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("same key on the thread running it");
        assertThat(loads).hasValue(1);
        assertThat(flights.inFlight()).isZero();
        assertThat(cache.getOrLoad("k", String.class, null, () -> "later")).isEqualTo("later");
    }

    @Test
    void anAsyncLoaderAskingForItsOwnKeyFailsFast() {
        CompletableFuture<String> outer = cache.async().getOrLoad("k", String.class, null, () -> cache.async()
                .getOrLoad("k", String.class, null, () -> CompletableFuture.completedFuture("inner")));
        assertThatThrownBy(() -> outer.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(flights.inFlight()).isZero();
    }

    @Test
    void waitersStopWaitingAfterTheLoadTimeoutAndLoadThemselves() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger loads = new AtomicInteger();
        Future<String> slow = pool.submit(() -> cache.getOrLoad("k", String.class, null, () -> {
            loads.incrementAndGet();
            started.countDown();
            release.await(30, TimeUnit.SECONDS);
            return "slow";
        }));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        String waited = cache.getOrLoad("k", String.class, null, () -> {
            loads.incrementAndGet();
            return "own";
        });
        assertThat(waited)
                .as("after 300 ms the waiter answers with its own load")
                .isEqualTo("own");
        String async = cache.async()
                .getOrLoad("k", String.class, null, () -> {
                    loads.incrementAndGet();
                    return CompletableFuture.completedFuture("own async");
                })
                .get(10, TimeUnit.SECONDS);
        assertThat(async).isEqualTo("own async");
        release.countDown();
        assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo("slow");
        assertThat(loads).hasValue(3);
        assertThat(cache.get("k", String.class)).as("only the winner writes").isEqualTo("slow");
        assertThat(flights.inFlight()).isZero();
    }

    @Test
    void aWaitingThreadCanBeInterrupted() throws Exception {
        Cache patient = Cachekit.create(CachekitConfig.builder()
                .backend("memory://")
                .loadTimeout(Duration.ofMinutes(5))
                .build());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        Future<String> slow = pool.submit(() -> patient.getOrLoad("k", String.class, null, () -> {
            started.countDown();
            release.await(30, TimeUnit.SECONDS);
            return "slow";
        }));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flagKept = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                patient.getOrLoad("k", String.class, null, () -> "never");
            } catch (Throwable t) {
                thrown.set(t);
                flagKept.set(Thread.currentThread().isInterrupted());
            }
        });
        waiter.start();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
        waiter.interrupt();
        waiter.join(10_000);
        assertThat(thrown.get()).isInstanceOf(CacheLoaderException.class).hasMessageContaining("Interrupted");
        assertThat(flagKept.get()).isTrue();
        release.countDown();
        assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo("slow");
    }

    @Test
    void theInFlightEntryIsRemovedOnEveryPath() {
        cache.getOrLoad("ok", String.class, null, () -> "v");
        assertThatThrownBy(() -> cache.getOrLoad("runtime", String.class, null, () -> {
                    throw new IllegalArgumentException("boom");
                }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cache.getOrLoad("checked", String.class, null, () -> {
                    throw new java.io.IOException("io");
                }))
                .isInstanceOf(CacheLoaderException.class);
        assertThatThrownBy(() -> cache.getOrLoad("error", String.class, null, () -> {
                    throw new AssertionError("error");
                }))
                .isInstanceOf(AssertionError.class);
        cache.set("typed", 1);
        assertThatThrownBy(() -> cache.getOrLoad("typed", String.class, null, () -> "v"))
                .isInstanceOf(IllegalStateException.class);
        cache.async()
                .getOrLoad("async-ok", String.class, null, () -> CompletableFuture.completedFuture("v"))
                .join();
        assertThatThrownBy(() -> cache.async()
                        .getOrLoad(
                                "async-failed",
                                String.class,
                                null,
                                () -> CompletableFuture.failedFuture(new IllegalStateException("x")))
                        .join())
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> cache.async()
                        .getOrLoad("async-throws", String.class, null, () -> {
                            throw new IllegalStateException("sync throw");
                        })
                        .join())
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> cache.async()
                        .getOrLoad("async-null", String.class, null, () -> null)
                        .join())
                .hasCauseInstanceOf(NullPointerException.class);
        assertThat(flights.inFlight()).isZero();
    }

    @Test
    void loadsOfOneKeyAsTwoTypesRunApartAndEachGetsItsOwnValue() throws Exception {
        CountDownLatch both = new CountDownLatch(2);
        Future<Object> text = pool.submit(() -> cache.getOrLoad("k", String.class, null, () -> {
            both.countDown();
            both.await(10, TimeUnit.SECONDS);
            return "text";
        }));
        Future<Object> number = pool.submit(() -> cache.getOrLoad("k", Integer.class, null, () -> {
            both.countDown();
            both.await(10, TimeUnit.SECONDS);
            return 42;
        }));
        assertThat(text.get(10, TimeUnit.SECONDS)).isEqualTo("text");
        assertThat(number.get(10, TimeUnit.SECONDS)).isEqualTo(42);
        assertThat(flights.inFlight()).isZero();
    }
}
