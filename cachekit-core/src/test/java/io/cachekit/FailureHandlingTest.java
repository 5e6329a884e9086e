package io.cachekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.spi.BackendContext;
import io.cachekit.spi.BlockingCacheBackend;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Backend failures: method caching fails open, the direct API throws (or fails open when configured), and
 * async operations end within the timeout. The backend here is a test double of a store that is down or
 * hangs; the real-server versions of these tests live in each backend module.
 */
class FailureHandlingTest {

    /** A store that can be switched off (every call fails) or made to hang until released. */
    static class UnreliableBackend extends BlockingCacheBackend {
        final AtomicBoolean down = new AtomicBoolean();
        final CountDownLatch hang = new CountDownLatch(1);
        final AtomicBoolean hanging = new AtomicBoolean();
        final AtomicBoolean tooLarge = new AtomicBoolean();
        final java.util.concurrent.ConcurrentHashMap<String, byte[]> data =
                new java.util.concurrent.ConcurrentHashMap<>();

        UnreliableBackend(BackendContext context) {
            super(context);
        }

        private void check() {
            if (hanging.get()) {
                try {
                    hang.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (down.get()) {
                throw new CacheBackendException("connection refused");
            }
        }

        @Override
        public String name() {
            return "unreliable";
        }

        @Override
        public byte[] get(String namespace, String key) {
            check();
            return data.get(namespace + "/" + key);
        }

        @Override
        public void set(String namespace, String key, byte[] value, Duration ttl) {
            if (tooLarge.get()) {
                throw new CacheValueTooLargeException("unreliable: value over the limit");
            }
            check();
            data.put(namespace + "/" + key, value);
        }

        @Override
        public void delete(String namespace, String key) {
            check();
            data.remove(namespace + "/" + key);
        }

        @Override
        public void clear(String namespace) {
            check();
            data.keySet().removeIf(k -> k.startsWith(namespace + "/"));
        }

        @Override
        public void close() {
            hang.countDown();
        }
    }

    interface Prices {
        @Cached(ttl = "5m")
        int price(String item);
    }

    private final CachekitConfig config = CachekitConfig.builder()
            .namespace("prices")
            .operationTimeout(Duration.ofMillis(300))
            .build();
    private final UnreliableBackend backend = new UnreliableBackend(Cachekit.contextOf(config));
    private final Cache cache = Cachekit.create(config, backend);

    @AfterEach
    void close() {
        cache.close();
    }

    @Test
    void methodCachingFailsOpenAndRecovers() {
        AtomicInteger calls = new AtomicInteger();
        Prices prices = cache.proxy(Prices.class, item -> {
            calls.incrementAndGet();
            return item.length();
        });
        assertThat(prices.price("apple")).isEqualTo(5);
        assertThat(prices.price("apple")).isEqualTo(5);
        assertThat(calls).hasValue(1);

        backend.down.set(true);
        assertThat(prices.price("apple")).isEqualTo(5);
        assertThat(prices.price("apple")).isEqualTo(5);
        assertThat(calls).as("the real method answers while the store is down").hasValue(3);
        assertThat(cache.stats().errors())
                .as("one failed read per call: no re-read or write while the store is down")
                .isEqualTo(2);

        backend.down.set(false);
        assertThat(prices.price("apple")).isEqualTo(5);
        assertThat(prices.price("apple")).isEqualTo(5);
        assertThat(calls).as("the cache is used again").hasValue(3);
    }

    @Test
    void directApiThrowsBackendErrors() {
        backend.down.set(true);
        assertThatThrownBy(() -> cache.get("k", String.class))
                .isInstanceOf(CacheBackendException.class)
                .hasMessageContaining("connection refused");
        assertThatThrownBy(() -> cache.set("k", "v")).isInstanceOf(CacheBackendException.class);
        assertThatThrownBy(() -> cache.async().get("k", String.class).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(CacheBackendException.class);
        assertThat(cache.stats().errors()).isEqualTo(3);
    }

    @Test
    void directApiCanFailOpen() {
        Cache open = Cachekit.create(
                config.toBuilder().errorPolicy(ErrorPolicy.FAIL_OPEN).build(), backend);
        backend.down.set(true);
        assertThat(open.get("k", String.class)).isNull();
        open.set("k", "v");
        AtomicInteger loads = new AtomicInteger();
        assertThat(open.getOrLoad("k", String.class, () -> "v" + loads.incrementAndGet()))
                .isEqualTo("v1");
        assertThat(open.stats().errors())
                .as("get, set, and the one read of getOrLoad")
                .isEqualTo(3);
    }

    @Test
    void asyncOperationsEndWithinTheTimeout() {
        backend.hanging.set(true);
        assertThatThrownBy(() -> cache.async().get("k", String.class).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(CacheTimeoutException.class);
        backend.hang.countDown();
    }

    @Test
    void unencodableValuesAreASerializationError() {
        Object selfReferencing = new Object() {
            @SuppressWarnings("unused")
            public Object getSelf() {
                return this;
            }
        };
        assertThatThrownBy(() -> cache.set("k", selfReferencing)).isInstanceOf(CacheSerializationException.class);
    }
}
