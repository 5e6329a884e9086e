package io.cachekit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.Cache;
import io.cachekit.Cached;
import io.cachekit.TypeRef;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Stale while revalidate and stale on error: an entry written with a stale window is served past its TTL while
 * one caller refreshes it in the background, and keeps being served while the refresh fails, until its TTL and
 * window have passed. Each test counts the loader's runs; time moves on the contract's clock.
 *
 * <p>{@link CacheBackendContract} runs it for every backend as a nested section.
 */
public abstract class StaleContract {
    private static final Duration TTL = Duration.ofMinutes(1);
    private static final Duration STALE_FOR = Duration.ofMinutes(10);

    /** A cache in a new namespace over the backend under test, on the contract's clock. */
    protected abstract Cache newCache();

    /** Moves the contract's clock on. */
    protected abstract void advance(Duration duration);

    /** A loader that counts its runs and answers "v1", "v2", ... or fails while {@link #failing} is set. */
    static final class Versions {
        final AtomicInteger runs = new AtomicInteger();
        final AtomicBoolean failing = new AtomicBoolean();

        String next() {
            int n = runs.incrementAndGet();
            if (failing.get()) {
                throw new IllegalStateException("source down (run " + n + ")");
            }
            return "v" + n;
        }
    }

    @Test
    void aStaleEntryIsServedAtOnceWhileOneCallRefreshesIt() {
        Cache cache = newCache();
        Versions source = new Versions();
        assertThat(cache.getOrLoad("k", String.class, TTL, STALE_FOR, source::next))
                .isEqualTo("v1");
        assertThat(cache.getOrLoad("k", String.class, TTL, STALE_FOR, source::next))
                .isEqualTo("v1");
        assertThat(source.runs).as("fresh: one load, then a hit").hasValue(1);

        advance(TTL.plusSeconds(1));
        assertThat(cache.getOrLoad("k", String.class, TTL, STALE_FOR, source::next))
                .as("stale: served at once")
                .isEqualTo("v1");
        Awaitility.await("the background refresh wrote v2")
                .atMost(Duration.ofSeconds(30))
                .until(() -> "v2".equals(cache.getOrLoad("k", String.class, TTL, STALE_FOR, source::next)));
        assertThat(source.runs).as("one refresh for every stale read").hasValue(2);
    }

    @Test
    void aFailingRefreshKeepsServingTheStaleValueUntilTheWindowEnds() {
        Cache cache = newCache();
        Versions source = new Versions();
        assertThat(cache.getOrLoad("k", String.class, TTL, STALE_FOR, source::next))
                .isEqualTo("v1");
        source.failing.set(true);
        advance(TTL.plusSeconds(1));
        long failuresBefore = cache.stats().loadFailures();
        assertThat(cache.getOrLoad("k", String.class, TTL, STALE_FOR, source::next))
                .isEqualTo("v1");
        Awaitility.await("the failed refresh is counted")
                .atMost(Duration.ofSeconds(30))
                .until(() -> cache.stats().loadFailures() > failuresBefore);
        assertThat(cache.getOrLoad("k", String.class, TTL, STALE_FOR, source::next))
                .as("stale on error")
                .isEqualTo("v1");
        // That read started another refresh: let it fail before counting the loader's runs.
        Awaitility.await("the second failed refresh is counted")
                .atMost(Duration.ofSeconds(30))
                .until(() -> cache.stats().loadFailures() > failuresBefore + 1);

        advance(STALE_FOR);
        int runs = source.runs.get();
        assertThatThrownBy(() -> cache.getOrLoad("k", String.class, TTL, STALE_FOR, source::next))
                .as("past the window the entry is gone and the failing loader answers")
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("source down");
        assertThat(source.runs).hasValue(runs + 1);
    }

    @Test
    void entriesWithoutAWindowAreLoadedAgainWhenTheirTtlHasPassed() {
        Cache cache = newCache();
        Versions source = new Versions();
        assertThat(cache.getOrLoad("k", String.class, TTL, source::next)).isEqualTo("v1");
        advance(TTL.plusSeconds(1));
        assertThat(cache.getOrLoad("k", String.class, TTL, source::next)).isEqualTo("v2");
        assertThat(source.runs).hasValue(2);
    }

    @Test
    void asyncCallersGetTheStaleValueToo() throws Exception {
        Cache cache = newCache();
        Versions source = new Versions();
        TypeRef<String> type = TypeRef.of(String.class);
        assertThat(cache.async()
                        .getOrLoad("k", type, TTL, STALE_FOR, () -> CompletableFuture.completedFuture(source.next()))
                        .get(30, TimeUnit.SECONDS))
                .isEqualTo("v1");
        advance(TTL.plusSeconds(1));
        assertThat(cache.async()
                        .getOrLoad("k", type, TTL, STALE_FOR, () -> CompletableFuture.completedFuture(source.next()))
                        .get(30, TimeUnit.SECONDS))
                .isEqualTo("v1");
        Awaitility.await("refreshed").atMost(Duration.ofSeconds(30)).until(() -> "v2"
                .equals(cache.get("k", String.class)));
        assertThat(source.runs).hasValue(2);
    }

    /** A service whose cached method may be served stale. */
    public interface Prices {
        /** The price of {@code sku}. */
        @Cached(ttl = "1m", staleFor = "10m")
        String price(String sku);
    }

    @Test
    void cachedMethodsWithAStaleWindow() {
        Cache cache = newCache();
        Versions source = new Versions();
        Prices prices = cache.proxy(Prices.class, sku -> sku + "@" + source.next());
        assertThat(prices.price("a")).isEqualTo("a@v1");
        assertThat(prices.price("a")).isEqualTo("a@v1");
        assertThat(source.runs).hasValue(1);
        advance(TTL.plusSeconds(1));
        assertThat(prices.price("a")).as("stale, served at once").isEqualTo("a@v1");
        Awaitility.await("refreshed").atMost(Duration.ofSeconds(30)).until(() -> "a@v2".equals(prices.price("a")));
        assertThat(source.runs).hasValue(2);
    }
}
