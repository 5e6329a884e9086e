package io.cachekit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.cachekit.Cache;
import io.cachekit.CachekitConfig;
import io.cachekit.spi.CacheBackend;
import io.cachekit.tck.CacheOps.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Closing: a closed backend fails every operation saying so, over the sync and the async SPI, and a cache's
 * views share its backend, which only closing the cache itself closes. Each test works on a backend of its own,
 * so the suite's shared one stays open.
 *
 * <p>{@link CacheBackendContract} runs it for every backend as a nested section.
 */
public abstract class ClosingContract {
    /** A new backend of the kind under test, on the contract's clock and executor; the caller closes it. */
    protected abstract CacheBackend newBackend();

    /**
     * A cache over {@code backend} in the namespace {@code settings} names, on the contract's clock, operation
     * timeout and executor; closing the cache closes the backend.
     */
    protected abstract Cache newCache(CachekitConfig.Builder settings, CacheBackend backend);

    /** The executor of the caches and of the async view. */
    protected abstract Executor executor();

    private CacheOps ops(Path path, Cache cache) {
        return CacheOps.of(cache, path, executor());
    }

    /**
     * A closed backend fails every operation, saying it is closed: a cache over it must never read as empty or
     * write nowhere. Runs on a second backend of the test's, so the shared one stays open.
     */
    @ParameterizedTest
    @EnumSource(Path.class)
    void everyOperationFailsClearlyAfterClose(Path path) {
        CacheBackend closed = newBackend();
        String ns = "tck-closed-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] value = "v".getBytes(StandardCharsets.UTF_8);
        closed.set(ns, "k", value, Duration.ofMinutes(1));
        closed.close();
        closed.close(); // idempotent

        Map<String, Runnable> operations = new LinkedHashMap<>();
        if (path == Path.SYNC) {
            operations.put("get", () -> closed.get(ns, "k"));
            operations.put("set", () -> closed.set(ns, "k", value, Duration.ofMinutes(1)));
            operations.put("setIfAbsent", () -> closed.setIfAbsent(ns, "new", value, Duration.ofMinutes(1)));
            operations.put("delete", () -> closed.delete(ns, "k"));
            operations.put("clear", () -> closed.clear(ns));
            operations.put("getMany", () -> closed.getMany(ns, List.of("k", "other")));
            operations.put("setMany", () -> closed.setMany(ns, Map.of("k", value), Duration.ofMinutes(1)));
        } else {
            operations.put("getAsync", () -> closed.getAsync(ns, "k").join());
            operations.put("setAsync", () -> closed.setAsync(ns, "k", value, Duration.ofMinutes(1))
                    .join());
            operations.put("setIfAbsentAsync", () -> closed.setIfAbsentAsync(ns, "new", value, Duration.ofMinutes(1))
                    .join());
            operations.put("deleteAsync", () -> closed.deleteAsync(ns, "k").join());
            operations.put("clearAsync", () -> closed.clearAsync(ns).join());
            operations.put("getManyAsync", () -> closed.getManyAsync(ns, List.of("k", "other"))
                    .join());
            operations.put("setManyAsync", () -> closed.setManyAsync(ns, Map.of("k", value), Duration.ofMinutes(1))
                    .join());
        }
        operations.forEach((name, operation) -> {
            Throwable failure = catchThrowable(operation::run);
            if (failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null) {
                failure = failure.getCause();
            }
            assertThat(failure)
                    .as(name + " on a closed backend")
                    .isInstanceOf(io.cachekit.CacheBackendException.class)
                    .hasMessageContaining("closed");
        });
    }

    /**
     * A view made with {@code withNamespace} owns nothing: closing it leaves the backend open for the cache it
     * came from. Closing that cache closes the backend for every view, and their operations then fail.
     */
    @ParameterizedTest
    @EnumSource(Path.class)
    void closingAViewKeepsTheBackendOpenAndClosingTheCacheClosesItForEveryView(Path path) {
        Cache root = newCache(
                CachekitConfig.builder()
                        .namespace("tck-root-" + UUID.randomUUID().toString().substring(0, 8)),
                newBackend());
        Cache view = root.withNamespace(root.namespace() + "-view");
        try (Cache sameNamespace = root.withNamespace(root.namespace())) {
            ops(path, sameNamespace).set("k", "root");
        }
        view.close();
        ops(path, view).set("k", "view");
        assertThat(ops(path, root).get("k", String.class)).isEqualTo("root");
        assertThat(ops(path, view).get("k", String.class)).isEqualTo("view");

        root.close();
        root.close(); // idempotent
        for (Cache closed : List.of(root, view)) {
            assertThat(catchThrowable(() -> ops(path, closed).get("k", String.class)))
                    .as("a read of " + closed.namespace() + " after its cache was closed")
                    .isInstanceOf(io.cachekit.CacheBackendException.class)
                    .hasMessageContaining("closed");
            assertThat(catchThrowable(() -> ops(path, closed).set("k", "late")))
                    .as("a write of " + closed.namespace() + " after its cache was closed")
                    .isInstanceOf(io.cachekit.CacheBackendException.class)
                    .hasMessageContaining("closed");
        }
    }
}
