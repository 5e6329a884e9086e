package io.cachekit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.Cache;
import io.cachekit.CacheBackendException;
import io.cachekit.Cached;
import io.cachekit.Cachekit;
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

    /** A cache over the store in a namespace of its own, with the contract's timeout. */
    protected final Cache newCache(String options) {
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

    /** A {@link Quotes} that counts its calls. */
    protected static final class CountingQuotes implements Quotes {
        final AtomicInteger calls = new AtomicInteger();

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
            assertThatThrownBy(() -> cache.set("big", big)).isInstanceOf(CacheBackendException.class);
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
            Awaitility.await("the cache uses the store again")
                    .atMost(Duration.ofSeconds(60))
                    .ignoreExceptionsInstanceOf(CacheBackendException.class)
                    .until(() -> {
                        cache.set("probe", "p");
                        return "p".equals(cache.get("probe", String.class));
                    });
            int before = real.calls.get();
            assertThat(quotes.quote("b")).isEqualTo("quote of b");
            assertThat(quotes.quote("b")).isEqualTo("quote of b");
            assertThat(real.calls).as("one load, then a hit").hasValue(before + 1);
        }
    }
}
