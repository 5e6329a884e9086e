package io.cachekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Point 6 of issue 8: types on the direct API. The TCK checks the same on every backend. */
class DirectApiTypesTest {

    record Point(int x, int y) {}

    @ParameterizedTest
    @ValueSource(strings = {"memory://", "memory://?storeByValue=true"})
    void nullTypesThrowAndTouchNothing(String uri) {
        Cache cache = Cachekit.fromUri(uri);
        cache.set("k", "v");
        assertThatThrownBy(() -> cache.get("k", (Class<?>) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> cache.get("k", (TypeRef<?>) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> cache.getWithTtl("k", (Class<?>) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> cache.getMany(List.of("k"), (Class<?>) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> cache.getOrLoad("k", (Class<String>) null, null, () -> "w"))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> cache.async().get("k", (Class<?>) null)).isInstanceOf(NullPointerException.class);
        assertThat(cache.get("k", String.class)).isEqualTo("v");
        assertThat(cache.stats().corruptEntries()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory://", "memory://?storeByValue=true"})
    void aLiveEntryOfAnotherTypeThrowsNamingBothAndStays(String uri) {
        Cache cache = Cachekit.fromUri(uri);
        cache.set("point", new Point(1, 2));
        assertThatThrownBy(() -> cache.get("point", String.class))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("java.lang.String")
                .hasMessageContaining("holds a");
        assertThatThrownBy(() -> cache.getOrLoad("point", Integer.class, null, () -> 3))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("java.lang.Integer");
        assertThatThrownBy(() -> cache.async().get("point", Integer.class).join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(cache.get("point", Point.class)).isEqualTo(new Point(1, 2));
        assertThat(cache.stats().corruptEntries()).isZero();
    }

    public interface Api {
        @Cached(key = "shared")
        String text();

        @Cached(key = "shared")
        Integer number();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory://", "memory://?storeByValue=true"})
    void methodCachingTreatsAnEntryOfAnotherTypeAsAMissAndOverwritesIt(String uri) {
        Cache cache = Cachekit.fromUri(uri);
        AtomicInteger calls = new AtomicInteger();
        Api api = cache.proxy(Api.class, new Api() {
            @Override
            public String text() {
                calls.incrementAndGet();
                return "t";
            }

            @Override
            public Integer number() {
                calls.incrementAndGet();
                return 7;
            }
        });
        assertThat(api.text()).isEqualTo("t");
        assertThat(api.number())
                .as("never the other method's value, never an exception")
                .isEqualTo(7);
        assertThat(api.number()).isEqualTo(7);
        assertThat(calls).hasValue(2);
        assertThat(cache.get("shared", Integer.class)).isEqualTo(7);
        assertThat(cache.getWithTtl("shared", Integer.class).remainingTtl()).isPresent();
        assertThat(cache.getWithTtl("shared", Integer.class).remainingTtl().get())
                .isLessThanOrEqualTo(Duration.ofHours(1));
    }
}
