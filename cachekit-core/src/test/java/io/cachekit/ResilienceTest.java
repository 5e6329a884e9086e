package io.cachekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Lazy start and the circuit breaker, through the public API, on the {@code flaky://} test store: a cache is
 * created while its store is unreachable and connects by itself; repeated store failures open the breaker,
 * which then fails calls without reaching the store and closes again once the store answers.
 */
class ResilienceTest {

    interface Rates {
        @Cached(ttl = "10m")
        String rate(String currency);
    }

    private static final class CountingRates implements Rates {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String rate(String currency) {
            calls.incrementAndGet();
            return "rate of " + currency;
        }
    }

    private static String newStore() {
        return "s" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @Test
    void aCacheIsCreatedWhileItsStoreIsUnreachableAndConnectsInTheBackground() {
        String name = newStore();
        FlakyStoreProvider.Store store = FlakyStoreProvider.store(name);
        try (Cache cache = Cachekit.fromUri("flaky://" + name + "?namespace=rates")) {
            assertThat(cache.backendStatus()).isEqualTo(BackendStatus.CONNECTING);
            assertThatThrownBy(() -> cache.get("k", String.class))
                    .isInstanceOf(StoreUnreachableException.class)
                    .hasMessageContaining("not connected")
                    .hasMessageContaining("connection refused");
            CountingRates real = new CountingRates();
            Rates rates = cache.proxy(Rates.class, real);
            assertThat(rates.rate("eur")).isEqualTo("rate of eur");
            assertThat(rates.rate("eur")).isEqualTo("rate of eur");
            assertThat(real.calls)
                    .as("fail open: the real method answers while connecting")
                    .hasValue(2);

            store.reachable = true;
            Awaitility.await("connected in the background")
                    .atMost(Duration.ofSeconds(30))
                    .until(cache::backendStatus, BackendStatus.UP::equals);
            assertThat(rates.rate("eur")).isEqualTo("rate of eur");
            assertThat(rates.rate("eur")).isEqualTo("rate of eur");
            assertThat(real.calls).as("one load, then a hit").hasValue(3);
            assertThat(store.connects).as("one successful connection").hasValue(1);
        }
        assertThat(store.closes)
                .as("closing the cache closes the connected backend")
                .hasValue(1);
    }

    @Test
    void badCredentialsAndUnknownOptionsStayErrorsAtCreation() {
        String name = newStore();
        FlakyStoreProvider.store(name).rejectsCredentials = true;
        assertThatThrownBy(() -> Cachekit.fromUri("flaky://" + name))
                .isInstanceOf(CacheBackendException.class)
                .isNotInstanceOf(StoreUnreachableException.class)
                .hasMessageContaining("authentication failed");
        assertThatThrownBy(() -> Cachekit.fromUri("nosuchstore://x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("flaky");
        assertThatThrownBy(() -> Cachekit.fromUri("memory://?connect=sometimes"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connect must be lazy or eager");
    }

    @Test
    void connectEagerWaitsForTheStoreAndFailsWhenItIsUnreachable() {
        String name = newStore();
        assertThatThrownBy(() -> Cachekit.fromUri("flaky://" + name + "?connect=eager"))
                .isInstanceOf(StoreUnreachableException.class);
        FlakyStoreProvider.store(name).reachable = true;
        try (Cache cache = Cachekit.fromUri("flaky://" + name + "?connect=eager")) {
            assertThat(cache.backendStatus()).isEqualTo(BackendStatus.UP);
        }
    }

    @Test
    void closingWhileConnectingStopsTheAttempts() {
        String name = newStore();
        FlakyStoreProvider.Store store = FlakyStoreProvider.store(name);
        Cache cache = Cachekit.fromUri("flaky://" + name);
        cache.close();
        assertThat(cache.backendStatus()).isEqualTo(BackendStatus.CLOSED);
        store.reachable = true;
        assertThatThrownBy(() -> cache.get("k", String.class)).isInstanceOf(RuntimeException.class);
        assertThat(store.closes.get()).isEqualTo(store.connects.get());
    }

    @Test
    void repeatedStoreFailuresOpenTheBreakerWhichFailsFastThenClosesWhenTheStoreAnswers() {
        String name = newStore();
        FlakyStoreProvider.Store store = FlakyStoreProvider.store(name);
        store.reachable = true;
        try (Cache cache =
                Cachekit.fromUri("flaky://" + name + "?namespace=b&breakerMinimumCalls=4&breakerCoolOff=200ms")) {
            CountingRates real = new CountingRates();
            Rates rates = cache.proxy(Rates.class, real);
            store.backend.down.set(true);
            for (int i = 0; i < 4; i++) {
                assertThat(rates.rate("usd")).isEqualTo("rate of usd");
            }
            assertThat(cache.backendStatus()).isEqualTo(BackendStatus.OPEN);
            long errorsWhenOpened = cache.stats().errors();

            assertThatThrownBy(() -> cache.get("k", String.class))
                    .isInstanceOf(CacheBackendException.class)
                    .hasMessageContaining("circuit breaker open");
            for (int i = 0; i < 10; i++) {
                assertThat(rates.rate("usd")).isEqualTo("rate of usd");
            }
            assertThat(real.calls).as("every call answered by the real method").hasValue(14);
            assertThat(cache.stats().errors())
                    .as("calls refused by the open breaker are counted too")
                    .isEqualTo(errorsWhenOpened + 11);

            store.backend.down.set(false);
            Awaitility.await("the breaker lets probes through after its cool-off, and they succeed")
                    .atMost(Duration.ofSeconds(30))
                    .ignoreExceptionsInstanceOf(CacheBackendException.class)
                    .until(() -> {
                        cache.set("probe", "p");
                        return cache.backendStatus() == BackendStatus.UP;
                    });
            int before = real.calls.get();
            assertThat(rates.rate("usd")).isEqualTo("rate of usd");
            assertThat(rates.rate("usd")).isEqualTo("rate of usd");
            assertThat(real.calls).as("caching resumed: one load, then a hit").hasValue(before + 1);
        }
    }

    @Test
    void valuesOverTheStoresLimitDoNotOpenTheBreaker() {
        String name = newStore();
        FlakyStoreProvider.Store store = FlakyStoreProvider.store(name);
        store.reachable = true;
        try (Cache cache = Cachekit.fromUri("flaky://" + name + "?breakerMinimumCalls=4")) {
            store.backend.tooLarge.set(true);
            for (int i = 0; i < 10; i++) {
                assertThatThrownBy(() -> cache.set("k", "v")).isInstanceOf(CacheValueTooLargeException.class);
            }
            assertThat(cache.backendStatus()).isEqualTo(BackendStatus.UP);
        }
    }
}
