package io.cachekit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.BackendStatus;
import io.cachekit.Cache;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheValueTooLargeException;
import io.cachekit.Cached;
import io.cachekit.Cachekit;
import io.cachekit.StoreUnreachableException;
import io.cachekit.spi.CacheBackend;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The failure contract every Cachekit backend meets: what a cache does while its store is stopped, paused
 * or back again, and when it is handed a value over the store's limit or bytes it did not write.
 *
 * <p>A backend's test extends this class with one hook per fault: {@link #stopStore()}, {@link
 * #startStore()}, {@link #pauseStore()}, {@link #resumeStore()}, plus the URI that reaches the store
 * ({@link #storeUri()}) and the size of a value the store refuses ({@link #oversizedValueBytes()}). The
 * store must be one this class may stop: a server process of the test's own, not a shared one. Each test
 * leaves the store running and resumed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class CacheBackendFailureContract {

    /**
     * The URI of the store under test, as {@code Cachekit.fromUri} takes it, without Cachekit's own
     * options (the contract adds namespace and timeout). It may have a query of the backend's options.
     */
    protected abstract String storeUri();

    /** Stops (kills) the store; returns once it no longer accepts connections. */
    protected abstract void stopStore();

    /** Starts the store again on the same address; returns once it answers. Idempotent. */
    protected abstract void startStore();

    /**
     * Pauses the store: it keeps its connections but answers nothing (SIGSTOP of its process, or a proxy
     * that stops forwarding); returns at once.
     */
    protected abstract void pauseStore();

    /** Resumes a paused store. Idempotent. */
    protected abstract void resumeStore();

    /** The size of a value the store refuses (over its item or document limit). */
    protected abstract int oversizedValueBytes();

    /** The operation timeout the contract's caches use. */
    protected Duration operationTimeout() {
        return Duration.ofMillis(500);
    }

    @AfterEach
    final void leaveTheStoreRunning() {
        resumeStore();
        startStore();
    }

    /**
     * A cache over the running store in a namespace of its own, with the contract's timeout, once it is
     * connected.
     */
    protected final Cache newCache(String options) {
        Cache cache = newCacheWithoutWaiting(options);
        Awaitility.await("connected")
                .atMost(Duration.ofSeconds(60))
                .until(() -> cache.backendStatus() != BackendStatus.CONNECTING);
        return cache;
    }

    private Cache newCacheWithoutWaiting(String options) {
        String uri = storeUri();
        String namespace = "fail-" + UUID.randomUUID().toString().substring(0, 12);
        return Cachekit.fromUri(uri + (uri.contains("?") ? "&" : "?") + "namespace=" + namespace + "&timeout="
                + operationTimeout().toMillis() + "ms" + (options.isEmpty() ? "" : "&" + options));
    }

    /** A service whose results are cached; the contract counts its real calls. */
    public interface Quotes {
        /** The quote of {@code symbol}. */
        @Cached(ttl = "10m")
        String quote(String symbol);
    }

    /** A {@link Quotes} that counts its calls; backends' own failure tests may use it too. */
    public static final class CountingQuotes implements Quotes {
        final AtomicInteger calls = new AtomicInteger();

        /** A service that has not been called yet. */
        public CountingQuotes() {}

        /** How often {@link #quote} ran. */
        public int calls() {
            return calls.get();
        }

        @Override
        public String quote(String symbol) {
            calls.incrementAndGet();
            return "quote of " + symbol;
        }
    }

    @Test
    void aValueOverTheStoresLimitIsAClearErrorAndNothingIsWritten() {
        try (Cache cache = newCache("")) {
            cache.set("big", "small before");
            byte[] big = new byte[oversizedValueBytes()];
            ThreadLocalRandom.current().nextBytes(big);
            for (int i = 0; i < 12; i++) {
                assertThatThrownBy(() -> cache.set("big", big)).isInstanceOf(CacheValueTooLargeException.class);
            }
            assertThat(cache.backendStatus())
                    .as("values over the limit say nothing of the store's health: the breaker stays closed")
                    .isEqualTo(BackendStatus.UP);
            String after = cache.get("big", String.class);
            assertThat(after)
                    .as("the old value stays or the entry is gone; never a part of the new one")
                    .isIn("small before", null);
        }
    }

    @Test
    void bytesTheCacheDidNotWriteAreACountedMiss() {
        try (Cache cache = newCache("")) {
            cache.set("k", "v");
            CacheBackend backend = cache.unwrap(CacheBackend.class);
            backend.set(cache.config().namespace(), "garbage", "not an envelope".getBytes(), null);
            assertThat(cache.get("garbage", String.class)).isNull();
            assertThat(cache.stats().corruptEntries()).isEqualTo(1);
            assertThat(cache.get("k", String.class)).isEqualTo("v");
        }
    }

    @Test
    void methodCachingFailsOpenWhileTheStoreIsDownAndCachesAgainAfterItRestarts() {
        try (Cache cache = newCache("")) {
            CountingQuotes real = new CountingQuotes();
            Quotes quotes = cache.proxy(Quotes.class, real);
            assertThat(quotes.quote("a")).isEqualTo("quote of a");
            assertThat(quotes.quote("a")).isEqualTo("quote of a");
            assertThat(real.calls).as("the second call is a hit").hasValue(1);

            stopStore();
            for (int i = 0; i < 3; i++) {
                assertThat(quotes.quote("a")).isEqualTo("quote of a");
            }
            assertThat(real.calls)
                    .as("every call runs the real method while the store is down")
                    .hasValue(4);

            startStore();
            awaitUsable(cache);
            int before = real.calls.get();
            assertThat(quotes.quote("b")).isEqualTo("quote of b");
            assertThat(quotes.quote("b")).isEqualTo("quote of b");
            assertThat(real.calls).as("one load, then a hit").hasValue(before + 1);
        }
    }

    @Test
    void aCacheCreatedWhileTheStoreIsDownAnswersAndConnectsOnceItIsBack() {
        stopStore();
        try (Cache cache = newCacheWithoutWaiting("")) {
            assertThat(cache.backendStatus()).isEqualTo(BackendStatus.CONNECTING);
            CountingQuotes real = new CountingQuotes();
            Quotes quotes = cache.proxy(Quotes.class, real);
            assertThat(quotes.quote("a")).isEqualTo("quote of a");
            assertThat(quotes.quote("a")).isEqualTo("quote of a");
            assertThat(real.calls)
                    .as("the real method answers while the store is down")
                    .hasValue(2);
            assertThatThrownBy(() -> cache.get("a", String.class)).isInstanceOf(StoreUnreachableException.class);

            startStore();
            long started = System.nanoTime();
            awaitUsable(cache);
            long recovery = (System.nanoTime() - started) / 1_000_000;
            assertThat(quotes.quote("a")).isEqualTo("quote of a");
            assertThat(quotes.quote("a")).isEqualTo("quote of a");
            assertThat(real.calls)
                    .as("connected by itself: one load, then a hit")
                    .hasValue(3);
            new FailureReport(suiteName(), "down at creation", timeoutMillis(), 2, 0, new long[0], recovery).write();
        }
    }

    @Test
    void aStoreKilledUnderLoadCostsNoFailedCallAndIsUsedAgainAfterItRestarts() {
        try (Cache cache = newCache("")) {
            CountingQuotes real = new CountingQuotes();
            Quotes quotes = cache.proxy(Quotes.class, real);
            warmUp(quotes, real);
            try (LoadRun load = LoadRun.start(4, 1_000_000, () -> quotes.quote(randomSymbol()))) {
                awaitCalls(load, 200);
                long faultStart = System.nanoTime();
                stopStore();
                awaitCalls(load, load.finished() + 100);
                Awaitility.await("the breaker opens")
                        .atMost(Duration.ofSeconds(60))
                        .until(cache::backendStatus, BackendStatus.OPEN::equals);
                long opened = System.nanoTime();
                awaitCalls(load, load.finished() + 200);
                long restart = System.nanoTime();
                startStore();
                long restarted = System.nanoTime();
                awaitUsable(cache);
                long recovery = (System.nanoTime() - restarted) / 1_000_000;
                load.stop();
                assertThat(load.firstFailure()).as("no call failed").isNull();
                LoadRun.report(
                                suiteName(),
                                timeoutMillis(),
                                "killed under load",
                                load.startedBetween(faultStart, restart),
                                recovery)
                        .write();
                LoadRun.report(
                                suiteName(),
                                timeoutMillis(),
                                "killed, breaker open",
                                load.startedBetween(opened, restart),
                                -1)
                        .write();
            }
            assertCachingResumed(quotes, real);
        }
    }

    @Test
    void aPausedStoreTimesOutThenTheBreakerFailsCallsAtOnce() {
        try (Cache cache = newCache("")) {
            CountingQuotes real = new CountingQuotes();
            Quotes quotes = cache.proxy(Quotes.class, real);
            warmUp(quotes, real);
            cache.set("direct", "v");
            try (LoadRun load = LoadRun.start(4, 1_000_000, () -> quotes.quote(randomSymbol()))) {
                awaitCalls(load, 200);
                long pausedAt = System.nanoTime();
                pauseStore();
                assertThatThrownBy(() -> cache.get("direct", String.class))
                        .as("a direct call to a paused store ends with a timeout, or fails at once")
                        .isInstanceOf(CacheBackendException.class);
                Awaitility.await("the breaker opens")
                        .atMost(Duration.ofSeconds(60))
                        .until(cache::backendStatus, BackendStatus.OPEN::equals);
                long opened = System.nanoTime();
                assertThatThrownBy(() -> cache.get("direct", String.class))
                        .isInstanceOf(CacheBackendException.class)
                        .hasMessageContaining("circuit breaker open");
                awaitCalls(load, load.finished() + 500);
                long resumedAt = System.nanoTime();
                resumeStore();
                awaitUsable(cache);
                long recovery = (System.nanoTime() - resumedAt) / 1_000_000;
                load.stop();
                assertThat(load.firstFailure()).as("no call failed").isNull();
                LoadRun.report(
                                suiteName(),
                                timeoutMillis(),
                                "paused, first second",
                                load.startedBetween(pausedAt, pausedAt + 1_000_000_000L),
                                recovery)
                        .write();
                LoadRun.report(
                                suiteName(),
                                timeoutMillis(),
                                "paused, breaker open",
                                load.startedBetween(opened, resumedAt),
                                -1)
                        .write();
            }
            assertCachingResumed(quotes, real);
        }
    }

    private static final int SYMBOLS = 20;

    private static String randomSymbol() {
        return "s" + ThreadLocalRandom.current().nextInt(SYMBOLS);
    }

    private static void warmUp(Quotes quotes, CountingQuotes real) {
        for (int i = 0; i < SYMBOLS; i++) {
            quotes.quote("s" + i);
            quotes.quote("s" + i);
        }
        assertThat(real.calls).as("one load per symbol, then hits").hasValue(SYMBOLS);
    }

    /** After the fault: every symbol is loaded at most once more, then served from the cache. */
    private static void assertCachingResumed(Quotes quotes, CountingQuotes real) {
        int before = real.calls.get();
        for (int i = 0; i < SYMBOLS; i++) {
            quotes.quote("s" + i);
        }
        int afterFirstRound = real.calls.get();
        assertThat(afterFirstRound - before).isBetween(0, SYMBOLS);
        for (int i = 0; i < SYMBOLS; i++) {
            assertThat(quotes.quote("s" + i)).isEqualTo("quote of s" + i);
        }
        assertThat(real.calls)
                .as("caching resumed without a restart of the cache")
                .hasValue(afterFirstRound);
    }

    private static void awaitCalls(LoadRun load, int calls) {
        Awaitility.await("the load made " + calls + " calls")
                .atMost(Duration.ofSeconds(120))
                .until(() -> load.finished() >= calls || load.exhausted() || load.firstFailure() != null);
        assertThat(load.firstFailure()).as("no call failed").isNull();
    }

    private static void awaitUsable(Cache cache) {
        Awaitility.await("the cache uses the store again")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(50))
                .ignoreExceptionsInstanceOf(CacheBackendException.class)
                .until(() -> {
                    cache.set("probe", "p");
                    return "p".equals(cache.get("probe", String.class));
                });
    }

    private long timeoutMillis() {
        return operationTimeout().toMillis();
    }

    private String suiteName() {
        return getClass().getSimpleName();
    }
}
