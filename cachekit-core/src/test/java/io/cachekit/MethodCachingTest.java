package io.cachekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class MethodCachingTest {

    record Forecast(String city, int days, int temperature) {}

    interface WeatherService {
        @Cached(ttl = "10m")
        Forecast forecast(String city, int days);

        @Cached(ttl = "10m")
        Forecast forecastAgain(String city, int days);

        @Cached
        String withContext(String city, @CacheKeyIgnore Object requestContext);

        @Cached(key = "city:{city}", namespace = "cities")
        String byTemplate(String city);

        @CacheEvict(key = "city:{city}", namespace = "cities")
        void evictTemplate(String city);

        @CacheEvict(method = "forecast")
        void evictForecast(String city, int days);

        @CacheEvict(allEntries = true)
        void evictAll();

        @Cached(cacheNull = false)
        String maybe(String city);

        @Cached
        String failing(String city) throws IOException;

        @Cached(ttl = "1m")
        CompletableFuture<Forecast> forecastAsync(String city);

        String notCached(String city);
    }

    static final class CountingWeather implements WeatherService {
        final AtomicInteger calls = new AtomicInteger();
        final ConcurrentHashMap<String, CompletableFuture<Forecast>> pending = new ConcurrentHashMap<>();
        String maybeResult;

        @Override
        public Forecast forecast(String city, int days) {
            calls.incrementAndGet();
            return new Forecast(city, days, city.length() * 10 + days);
        }

        @Override
        public Forecast forecastAgain(String city, int days) {
            calls.incrementAndGet();
            return new Forecast(city, days, -1);
        }

        @Override
        public String withContext(String city, Object requestContext) {
            calls.incrementAndGet();
            return city.toUpperCase();
        }

        @Override
        public String byTemplate(String city) {
            return city + "#" + calls.incrementAndGet();
        }

        @Override
        public void evictTemplate(String city) {}

        @Override
        public void evictForecast(String city, int days) {}

        @Override
        public void evictAll() {}

        @Override
        public String maybe(String city) {
            calls.incrementAndGet();
            return maybeResult;
        }

        @Override
        public String failing(String city) throws IOException {
            calls.incrementAndGet();
            throw new IOException("no route to " + city);
        }

        @Override
        public CompletableFuture<Forecast> forecastAsync(String city) {
            calls.incrementAndGet();
            return pending.computeIfAbsent(city, c -> new CompletableFuture<>());
        }

        @Override
        public String notCached(String city) {
            calls.incrementAndGet();
            return city;
        }
    }

    private final Cache cache = Cachekit.fromUri("memory://?namespace=weather");
    private final CountingWeather real = new CountingWeather();
    private final WeatherService service = cache.proxy(WeatherService.class, real);

    @Test
    void cachedMethodRunsOncePerArguments() {
        Forecast first = service.forecast("Paris", 3);
        assertThat(service.forecast("Paris", 3)).isEqualTo(first);
        assertThat(service.forecast("Paris", 3)).isEqualTo(first);
        assertThat(real.calls).hasValue(1);
        service.forecast("Paris", 4);
        service.forecast("Oslo", 3);
        assertThat(real.calls).hasValue(3);
        assertThat(cache.stats().hits()).isEqualTo(2);
    }

    @Test
    void methodsWithEqualArgumentsDoNotCollide() {
        Forecast a = service.forecast("Rome", 1);
        Forecast b = service.forecastAgain("Rome", 1);
        assertThat(a).isNotEqualTo(b);
        assertThat(service.forecastAgain("Rome", 1)).isEqualTo(b);
        assertThat(real.calls).hasValue(2);
    }

    @Test
    void ignoredParametersAreLeftOutOfTheKey() {
        assertThat(service.withContext("lima", new Object())).isEqualTo("LIMA");
        assertThat(service.withContext("lima", new Object())).isEqualTo("LIMA");
        assertThat(real.calls).hasValue(1);
    }

    @Test
    void templateKeysCanBeEvictedByTheSameTemplate() {
        String first = service.byTemplate("Kyiv");
        assertThat(service.byTemplate("Kyiv")).isEqualTo(first);
        assertThat(cache.withNamespace("cities").get("city:Kyiv", String.class)).isEqualTo(first);
        service.evictTemplate("Kyiv");
        assertThat(service.byTemplate("Kyiv")).isNotEqualTo(first);
        assertThat(real.calls).hasValue(2);
    }

    @Test
    void evictByMethodRemovesThatMethodsEntry() {
        service.forecast("Lagos", 2);
        service.forecast("Lagos", 3);
        service.evictForecast("Lagos", 2);
        service.forecast("Lagos", 2);
        service.forecast("Lagos", 3);
        assertThat(real.calls).hasValue(3);
    }

    @Test
    void evictAllClearsTheNamespace() {
        service.forecast("A", 1);
        service.forecast("B", 1);
        service.evictAll();
        service.forecast("A", 1);
        service.forecast("B", 1);
        assertThat(real.calls).hasValue(4);
    }

    @Test
    void nullResultsAreCachedUnlessTurnedOff() {
        assertThat(service.maybe("x")).isNull();
        assertThat(service.maybe("x")).isNull();
        assertThat(real.calls).as("cacheNull = false").hasValue(2);
        real.maybeResult = "found";
        assertThat(service.maybe("x")).isEqualTo("found");
        assertThat(service.maybe("x")).isEqualTo("found");
        assertThat(real.calls).hasValue(3);
    }

    @Test
    void exceptionsPassThroughAndAreNotCached() {
        assertThatThrownBy(() -> service.failing("Mars"))
                .isInstanceOf(IOException.class)
                .hasMessage("no route to Mars");
        assertThatThrownBy(() -> service.failing("Mars")).isInstanceOf(IOException.class);
        assertThat(real.calls).hasValue(2);
    }

    @Test
    void futuresAreCachedWithoutBlockingAndOnlyWhenTheySucceed() throws Exception {
        CompletableFuture<Forecast> first = service.forecastAsync("Cairo");
        assertThat(first)
                .as("the proxy returns at once, without waiting for the value")
                .isNotDone();
        // The real method runs on the executor, as loaders do.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> real.pending.containsKey("Cairo"));
        CompletableFuture<Forecast> concurrent = service.forecastAsync("Cairo");
        assertThat(real.calls).as("a concurrent call joins the running load").hasValue(1);
        real.pending.get("Cairo").complete(new Forecast("Cairo", 1, 35));
        assertThat(first.get(5, TimeUnit.SECONDS).temperature()).isEqualTo(35);
        assertThat(concurrent.get(5, TimeUnit.SECONDS).temperature()).isEqualTo(35);
        real.pending.clear();
        assertThat(service.forecastAsync("Cairo").get(5, TimeUnit.SECONDS).temperature())
                .isEqualTo(35);
        assertThat(real.calls).hasValue(1);

        CompletableFuture<Forecast> failing = service.forecastAsync("Nowhere");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> real.pending.containsKey("Nowhere"));
        real.pending.get("Nowhere").completeExceptionally(new IllegalStateException("no data"));
        assertThatThrownBy(() -> failing.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasRootCauseInstanceOf(IllegalStateException.class);
        real.pending.clear();
        CompletableFuture<Forecast> retry = service.forecastAsync("Nowhere");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> real.pending.containsKey("Nowhere"));
        assertThat(real.calls).as("a failed future is not cached").hasValue(3);
        real.pending.get("Nowhere").complete(new Forecast("Nowhere", 1, 0));
        assertThat(retry.get(5, TimeUnit.SECONDS).temperature()).isZero();
    }

    @Test
    void callsCanSkipOrRefreshTheCache() {
        Forecast cached = service.forecast("Tokyo", 1);
        Cachekit.bypass(() -> service.forecast("Tokyo", 1));
        assertThat(real.calls).as("bypass runs the real method").hasValue(2);
        Cachekit.refresh(() -> service.forecast("Tokyo", 1));
        assertThat(real.calls).hasValue(3);
        assertThat(service.forecast("Tokyo", 1)).isEqualTo(cached);
        assertThat(real.calls).as("refresh stored the new result").hasValue(3);
    }

    @Test
    void unannotatedMethodsAndObjectMethodsPassThrough() {
        service.notCached("a");
        service.notCached("a");
        assertThat(real.calls).hasValue(2);
        assertThat(service).isEqualTo(service);
        assertThat(service.toString()).contains("CachingProxy");
    }

    @Test
    void memoizedFunctionsAreCachedByArgument() {
        AtomicInteger calls = new AtomicInteger();
        Function<String, Integer> length =
                cache.memoize("length", TypeRef.of(Integer.class), Duration.ofMinutes(1), s -> {
                    calls.incrementAndGet();
                    return s.length();
                });
        assertThat(length.apply("abc")).isEqualTo(3);
        assertThat(length.apply("abc")).isEqualTo(3);
        assertThat(length.apply("abcd")).isEqualTo(4);
        assertThat(calls).hasValue(2);

        Supplier<List<String>> names = cache.memoize(
                "names",
                new TypeRef<List<String>>() {},
                Duration.ofMinutes(1),
                () -> List.of("n" + calls.incrementAndGet()));
        assertThat(names.get()).containsExactly("n3");
        assertThat(names.get()).containsExactly("n3");
        assertThat(calls).hasValue(3);
    }

    interface Invalid {
        @Cached(ttl = "0s")
        String zeroTtl(String a);
    }

    interface VoidCached {
        @Cached
        void nothing(String a);
    }

    interface EvictNothing {
        @CacheEvict
        void evict(String a);
    }

    interface UnknownPlaceholder {
        @Cached(key = "{nope}")
        String get(String a);
    }

    @Test
    void invalidAnnotationsFailWhenTheProxyIsMade() {
        assertThatThrownBy(() -> cache.proxy(Invalid.class, a -> a))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zeroTtl")
                .hasMessageContaining("ttl");
        assertThatThrownBy(() -> cache.proxy(VoidCached.class, a -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nothing to cache");
        assertThatThrownBy(() -> cache.proxy(EvictNothing.class, a -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs one of key, method and allEntries, or tags");
        assertThatThrownBy(() -> cache.proxy(UnknownPlaceholder.class, a -> a))
                .isInstanceOf(CacheKeyException.class)
                .hasMessageContaining("nope");
    }
}
