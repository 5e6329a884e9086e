package io.cachekit.firestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.BackendStatus;
import io.cachekit.Cache;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.Cachekit;
import io.cachekit.StoreUnreachableException;
import io.cachekit.firestore.internal.DocumentLayout;
import io.cachekit.spi.BackendContext;
import io.cachekit.tck.CacheBackendFailureContract;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The failure contract, and more, on a Firestore emulator of this test's own on port 8701 (or {@code
 * cachekit.firestore.failure.port}): killed and started again on the same port, paused with SIGSTOP. The
 * emulator is the one {@code scripts/servers/firestore.sh start} chose.
 */
class FirestoreBackendFailureTest extends CacheBackendFailureContract {
    private static final int PORT = Integer.getInteger("cachekit.firestore.failure.port", 8701);

    private EmulatorProcess emulator;

    @BeforeAll
    void startEmulator() {
        emulator = EmulatorProcess.onPort(PORT);
        emulator.start();
    }

    @AfterAll
    void stopEmulator() {
        if (emulator != null) {
            emulator.close();
        }
    }

    @Override
    protected String storeUri() {
        return "firestore://demo-failure?emulatorHost=" + emulator.hostAndPort() + "&collection=failures";
    }

    @Override
    protected void stopStore() {
        emulator.stop();
    }

    @Override
    protected void startStore() {
        emulator.start();
    }

    @Override
    protected void pauseStore() {
        emulator.pause();
    }

    @Override
    protected void resumeStore() {
        emulator.resume();
    }

    /** A second: the contract's half second is tight on a loaded two-core machine. */
    @Override
    protected Duration operationTimeout() {
        return Duration.ofSeconds(1);
    }

    @Override
    protected int oversizedValueBytes() {
        return DocumentLayout.MAX_DOCUMENT_BYTES + 1;
    }

    @Test
    void aPausedEmulatorMakesCallsEndWithATimeout() {
        try (Cache cache = newCache("")) {
            cache.set("k", "v");
            assertThat(cache.get("k", String.class)).isEqualTo("v");
            pauseStore();

            assertThatThrownBy(() -> cache.get("k", String.class)).isInstanceOf(CacheTimeoutException.class);
            assertThatThrownBy(() -> cache.set("k", "w")).isInstanceOf(CacheTimeoutException.class);
            assertThatThrownBy(() -> cache.clear()).isInstanceOf(CacheTimeoutException.class);
            CompletableFuture<String> pending = cache.async().get("k", String.class);
            assertThat(pending)
                    .as("the async call returns at once, without waiting for the hung emulator")
                    .isNotDone();
            assertThat(pending)
                    .failsWithin(Duration.ofSeconds(30))
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(CacheTimeoutException.class);
            assertThat(cache.async().getMany(List.of("k", "l"), String.class))
                    .failsWithin(Duration.ofSeconds(30))
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(CacheTimeoutException.class);
            assertThat(cache.async().setMany(Map.of("a", "1", "b", "2"), Duration.ofMinutes(1)))
                    .failsWithin(Duration.ofSeconds(30))
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(CacheTimeoutException.class);
            assertThat(cache.stats().errors()).isEqualTo(6);

            resumeStore();
            Awaitility.await("answers again")
                    .atMost(Duration.ofSeconds(60))
                    .ignoreExceptionsInstanceOf(CacheBackendException.class)
                    .until(() -> cache.get("k", String.class) != null);
        }
    }

    @Test
    void setIfAbsentOnAPausedEmulatorEndsWithATimeoutAsAWhole() {
        try (Cache cache = newCache("")) {
            cache.set("taken", "v", Duration.ofSeconds(30));
            pauseStore();
            assertThatThrownBy(() -> cache.setIfAbsent("free", "w", null)).isInstanceOf(CacheTimeoutException.class);
            CompletableFuture<Boolean> pending = cache.async().setIfAbsent("taken", "w", null);
            assertThat(pending)
                    .as("the async call returns at once, without waiting for the hung emulator")
                    .isNotDone();
            assertThat(pending)
                    .failsWithin(Duration.ofSeconds(30))
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(CacheTimeoutException.class);
            resumeStore();
            Awaitility.await("answers again")
                    .atMost(Duration.ofSeconds(60))
                    .ignoreExceptionsInstanceOf(CacheBackendException.class)
                    .until(() -> "v".equals(cache.get("taken", String.class)));
            assertThat(cache.setIfAbsent("taken", "w", null)).isFalse();
        }
    }

    @Test
    void directCallsFailWithABackendExceptionWhileTheEmulatorIsDown() {
        try (Cache cache = newCache("")) {
            cache.set("k", "v");
            stopStore();
            assertThatThrownBy(() -> cache.get("k", String.class))
                    .isInstanceOf(CacheBackendException.class)
                    .hasMessageContaining("firestore get")
                    .hasMessageContaining("emulator " + emulator.hostAndPort());
            assertThat(cache.async().set("k", "w"))
                    .failsWithin(Duration.ofSeconds(30))
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(CacheBackendException.class);
            assertThatThrownBy(() -> cache.clear()).isInstanceOf(CacheBackendException.class);
            assertThat(cache.stats().errors()).isEqualTo(3);
        }
    }

    @Test
    void aCacheCreatedWhileTheEmulatorIsDownWorksOnceItIsUp() {
        stopStore();
        try (Cache cache = Cachekit.fromUri(storeUri() + "&namespace=late&timeout=1s")) {
            assertThatThrownBy(() -> cache.get("k", String.class))
                    .as("fails at once while connecting in the background")
                    .isInstanceOf(StoreUnreachableException.class);
            startStore();
            Awaitility.await("the emulator answers")
                    .atMost(Duration.ofSeconds(60))
                    .ignoreExceptionsInstanceOf(CacheBackendException.class)
                    .until(() -> {
                        cache.set("k", "v");
                        return "v".equals(cache.get("k", String.class));
                    });
        }
    }

    @Test
    void aPausedEmulatorIsUnreachableAtCreationAndTheCacheConnectsOnceItAnswers() {
        pauseStore();
        BackendContext context = FirestoreTestEmulator.context(operationTimeout());
        assertThatThrownBy(() -> new FirestoreBackendProvider().create(URI.create(storeUri()), context))
                .as("no answer within the timeout")
                .isInstanceOf(StoreUnreachableException.class)
                .hasMessageContaining("firestore connect");
        try (Cache cache = Cachekit.fromUri(storeUri() + "&namespace=paused-at-creation&timeout=1s")) {
            assertThat(cache.backendStatus()).isEqualTo(BackendStatus.CONNECTING);
            resumeStore();
            Awaitility.await("connected in the background")
                    .atMost(Duration.ofSeconds(60))
                    .ignoreExceptionsInstanceOf(CacheBackendException.class)
                    .until(() -> {
                        cache.set("k", "v");
                        return "v".equals(cache.get("k", String.class));
                    });
        }
    }

    @Test
    void methodCachingFailsOpenWhileTheEmulatorIsPaused() {
        try (Cache cache = newCache("")) {
            AtomicInteger calls = new AtomicInteger();
            Quotes quotes = cache.proxy(Quotes.class, symbol -> {
                calls.incrementAndGet();
                return "quote of " + symbol;
            });
            assertThat(quotes.quote("a")).isEqualTo("quote of a");
            assertThat(quotes.quote("a")).isEqualTo("quote of a");
            assertThat(calls).hasValue(1);
            pauseStore();
            assertThat(quotes.quote("a")).isEqualTo("quote of a");
            assertThat(quotes.quote("a")).isEqualTo("quote of a");
            assertThat(calls)
                    .as("the real method answers while the emulator hangs")
                    .hasValue(3);
            assertThat(cache.stats().errors())
                    .as("each failed read and write is counted")
                    .isGreaterThanOrEqualTo(2);
        }
    }
}
