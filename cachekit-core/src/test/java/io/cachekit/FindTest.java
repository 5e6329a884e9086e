package io.cachekit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@code find} tells a miss, a cached null and a value apart; the default-TTL overloads match on both views. */
class FindTest {
    private final Cache cache = Cachekit.fromUri("memory://?namespace=find&ttl=5m");

    @Test
    void findTellsAMissFromACachedNullFromAValue() {
        cache.set("nothing", null);
        cache.set("something", "v");

        assertThat(cache.find("absent", String.class)).isEmpty();
        Optional<CacheEntry<String>> cachedNull = cache.find("nothing", String.class);
        assertThat(cachedNull).isPresent();
        assertThat(cachedNull.get().value()).isNull();
        assertThat(cachedNull.map(CacheEntry::value))
                .as("a cached null read as empty")
                .isEmpty();
        assertThat(cache.find("something", String.class).map(CacheEntry::value)).hasValue("v");
        assertThat(cache.find("something", TypeRef.of(String.class))
                        .orElseThrow()
                        .remainingTtl())
                .hasValueSatisfying(ttl -> assertThat(ttl).isPositive());
        assertThat(cache.stats().hits()).isEqualTo(3);
        assertThat(cache.stats().misses()).isEqualTo(1);
    }

    @Test
    void theAsyncViewFindsAlike() {
        cache.set("nothing", null);
        cache.set("something", List.of(1, 2));
        AsyncCache async = cache.async();
        assertThat(async.find("absent", String.class).join()).isEmpty();
        assertThat(async.find("nothing", String.class).join())
                .hasValueSatisfying(e -> assertThat(e.value()).isNull());
        assertThat(async.find("something", new TypeRef<List<Integer>>() {})
                        .join()
                        .map(CacheEntry::value))
                .hasValue(List.of(1, 2));
    }

    @Test
    void theDefaultTtlOverloadsAreTheSameOnBothViews() {
        assertThat(cache.getOrLoad("a", String.class, () -> "1")).isEqualTo("1");
        assertThat(cache.getOrLoad("b", TypeRef.of(String.class), () -> "2")).isEqualTo("2");
        assertThat(cache.async()
                        .getOrLoad("c", String.class, () -> CompletableFuture.completedFuture("3"))
                        .join())
                .isEqualTo("3");
        assertThat(cache.async()
                        .getOrLoad("d", TypeRef.of(String.class), () -> CompletableFuture.completedFuture("4"))
                        .join())
                .isEqualTo("4");
        assertThat(cache.async()
                        .getOrLoad(
                                "e",
                                String.class,
                                Duration.ofMinutes(1),
                                Duration.ofMinutes(1),
                                () -> CompletableFuture.completedFuture("5"))
                        .join())
                .isEqualTo("5");
        for (String key : List.of("a", "b", "c", "d")) {
            assertThat(cache.getWithTtl(key, String.class).remainingTtl())
                    .as("the configured default TTL, 5 minutes")
                    .hasValueSatisfying(ttl -> assertThat(ttl).isBetween(Duration.ofMinutes(4), Duration.ofMinutes(5)));
        }
    }
}
