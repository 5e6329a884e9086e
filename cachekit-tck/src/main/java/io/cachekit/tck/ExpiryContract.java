package io.cachekit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.Cache;
import io.cachekit.CacheEntry;
import io.cachekit.CachekitConfig;
import io.cachekit.tck.CacheOps.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executor;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Expiry: an entry lives for its own TTL, or the cache's default, or forever; an overwrite replaces the
 * expiry with the value; a store that expires entries itself drops them in real time. Time moves on the
 * contract's clock, over the sync API and over the async view.
 *
 * <p>{@link CacheBackendContract} runs it for every backend as a nested section.
 */
public abstract class ExpiryContract {
    /** A cache in a new namespace over the backend under test, on the contract's clock, with the caller's settings. */
    protected abstract Cache newCache(CachekitConfig.Builder settings);

    /** Moves the contract's clock on. */
    protected abstract void advance(Duration duration);

    /** The executor of the caches and of the async view. */
    protected abstract Executor executor();

    /** What the store can do: {@link BackendCapability#STORE_EXPIRY} enables the real-time test. */
    protected abstract Set<BackendCapability> capabilities();

    private CacheOps ops(Path path) {
        return ops(path, newCache(CachekitConfig.builder()));
    }

    private CacheOps ops(Path path, Cache cache) {
        return CacheOps.of(cache, path, executor());
    }

    private void requires(BackendCapability capability) {
        Assumptions.assumeTrue(capabilities().contains(capability), "the store lacks " + capability);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void entryExpiresAfterItsTtl(Path path) {
        CacheOps c = ops(path);
        c.set("short", "v", Duration.ofSeconds(30));
        c.set("long", "v", Duration.ofMinutes(10));
        advance(Duration.ofSeconds(29));
        assertThat(c.get("short", String.class)).isEqualTo("v");
        advance(Duration.ofSeconds(2));
        assertThat(c.get("short", String.class)).isNull();
        assertThat(c.has("short")).isFalse();
        assertThat(c.get("long", String.class)).isEqualTo("v");
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void getWithTtlReportsTheTimeLeft(Path path) {
        CacheOps c = ops(path);
        c.set("k", "v", Duration.ofSeconds(100));
        advance(Duration.ofSeconds(40));
        CacheEntry<String> entry = c.getWithTtl("k", String.class);
        assertThat(entry.value()).isEqualTo("v");
        assertThat(entry.remainingTtl()).hasValueSatisfying(left -> assertThat(left)
                .isLessThanOrEqualTo(Duration.ofSeconds(60))
                .isGreaterThan(Duration.ofSeconds(50)));
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void defaultTtlAppliesWhenNoneIsGiven(Path path) {
        Cache cache = newCache(CachekitConfig.builder().defaultTtl(Duration.ofMinutes(5)));
        CacheOps c = ops(path, cache);
        c.set("k", "v");
        assertThat(c.getWithTtl("k", String.class).remainingTtl())
                .hasValueSatisfying(left -> assertThat(left).isLessThanOrEqualTo(Duration.ofMinutes(5)));
        advance(Duration.ofMinutes(5).plusSeconds(1));
        assertThat(c.get("k", String.class)).isNull();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void noExpiryIsExplicitAndLasts(Path path) {
        CacheOps c = ops(path);
        c.set("forever", "v", Cache.NO_EXPIRY);
        advance(Duration.ofDays(3650));
        CacheEntry<String> entry = c.getWithTtl("forever", String.class);
        assertThat(entry.value()).isEqualTo("v");
        assertThat(entry.remainingTtl()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void zeroOrNegativeTtlIsRejected(Path path) {
        CacheOps c = ops(path);
        assertThatThrownBy(() -> c.set("k", "v", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.set("k", "v", Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(c.has("k")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void overwriteReplacesValueAndExpiry(Path path) {
        CacheOps c = ops(path);
        c.set("k", "first", Duration.ofSeconds(10));
        c.set("k", "second", Cache.NO_EXPIRY);
        advance(Duration.ofMinutes(1));
        assertThat(c.get("k", String.class))
                .as("the old expiry must not survive")
                .isEqualTo("second");
        c.set("k", "third", Duration.ofSeconds(10));
        advance(Duration.ofSeconds(11));
        assertThat(c.get("k", String.class)).isNull();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void storeExpiresEntriesInRealTime(Path path) {
        requires(BackendCapability.STORE_EXPIRY);
        CacheOps c = ops(path);
        c.set("real", "v", Duration.ofSeconds(1));
        c.set("kept", "v", Duration.ofMinutes(10));
        // The manual clock stands still, so the envelope's expiry never fires: only the store can drop it.
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> c.get("real", String.class) == null);
        assertThat(c.get("kept", String.class)).isEqualTo("v");
    }
}
