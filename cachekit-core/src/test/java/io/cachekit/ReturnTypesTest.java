package io.cachekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.Reader;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Point 5 of issue 8: single-use return types are refused when the proxy is made; the others work. */
class ReturnTypesTest {

    public interface Streams {
        @Cached
        Stream<String> names();
    }

    public interface Iterators {
        @Cached
        Iterator<String> names();
    }

    public interface Iterables {
        @Cached
        Iterable<String> names();
    }

    public interface InputStreams {
        @Cached
        InputStream body();
    }

    public interface Readers {
        @Cached
        Reader body();
    }

    public interface OptionalStreams {
        @Cached
        Optional<Stream<String>> names();
    }

    public interface FutureReaders {
        @Cached
        CompletableFuture<Reader> body();
    }

    public interface MethodTypeVariables {
        @Cached
        <T> T any(Class<T> type);
    }

    @ParameterizedTest
    @ValueSource(
            classes = {
                Streams.class,
                Iterators.class,
                Iterables.class,
                InputStreams.class,
                Readers.class,
                OptionalStreams.class,
                FutureReaders.class,
                MethodTypeVariables.class
            })
    void singleUseOrUndecodableReturnTypesAreRefusedWithTheReason(Class<?> type) {
        Cache cache = Cachekit.fromUri("memory://");
        Object target = java.lang.reflect.Proxy.newProxyInstance(
                type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> null);
        assertThatThrownBy(() -> proxy(cache, type, target))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(type.getName())
                .hasMessageMatching("(?s).*(only once|lazy or single-use|cannot be resolved).*");
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Cache cache, Class<T> type, Object target) {
        return cache.proxy(type, (T) target);
    }

    public interface Cacheable {
        @Cached
        Optional<String> maybe(String id);

        @Cached
        CompletableFuture<Optional<String>> future(String id);

        @Cached
        CompletionStage<List<String>> stage(String id);
    }

    static final class Real implements Cacheable {
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean fail;

        @Override
        public Optional<String> maybe(String id) {
            calls.incrementAndGet();
            return id.isEmpty() ? Optional.empty() : Optional.of(id);
        }

        @Override
        public CompletableFuture<Optional<String>> future(String id) {
            calls.incrementAndGet();
            return fail
                    ? CompletableFuture.failedFuture(new IllegalStateException("down"))
                    : CompletableFuture.completedFuture(Optional.of(id));
        }

        @Override
        public CompletionStage<List<String>> stage(String id) {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(List.of(id, id));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory://", "memory://?storeByValue=true"})
    void optionalAndFuturesAreCachedAndFailuresNever(String uri) throws Exception {
        Cache cache = Cachekit.fromUri(uri);
        Real real = new Real();
        Cacheable api = cache.proxy(Cacheable.class, real);
        real.fail = true;
        assertThatThrownBy(() -> api.future("f").get(5, TimeUnit.SECONDS)).hasRootCauseMessage("down");
        real.fail = false;
        for (int round = 0; round < 2; round++) {
            assertThat(api.maybe("a")).contains("a");
            assertThat(api.maybe("")).as("an empty Optional is cached as empty").isEmpty();
            assertThat(api.future("f").get(5, TimeUnit.SECONDS)).contains("f");
            assertThat(api.stage("s").toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .containsExactly("s", "s");
        }
        assertThat(real.calls).as("1 failed future + 4 values computed once").hasValue(5);
    }
}
