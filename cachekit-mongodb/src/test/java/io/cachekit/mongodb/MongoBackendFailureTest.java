package io.cachekit.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.cachekit.BackendStatus;
import io.cachekit.Cache;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.Cachekit;
import io.cachekit.StoreUnreachableException;
import io.cachekit.spi.BackendContext;
import io.cachekit.tck.CacheBackendFailureContract;
import io.cachekit.tck.ServerProcess;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The failure contract, with mongo-java-server in a process of the test's own on port 27102 (system property
 * {@code cachekit.mongodb.failurePort}) that the hooks kill (SIGKILL), pause (SIGSTOP), resume (SIGCONT) and
 * start again on the same port. It keeps its data in memory, so a restarted server is empty: entries written
 * before a stop are gone after it, as after a crash of a server without persistence.
 */
class MongoBackendFailureTest extends CacheBackendFailureContract {
    private static final String SECRET = "s3cr3t-pw";
    private static final Duration SHORT = Duration.ofMillis(500);

    private final ServerProcess server =
            WireProtocolServer.onPort(Integer.getInteger("cachekit.mongodb.failurePort", 27102));
    private final ExecutorService executor = Executors.newFixedThreadPool(4);

    @BeforeAll
    void startServer() {
        server.start();
    }

    /** The server's URI; the server itself is started once for the class and by {@link #startStore()}. */
    @Override
    protected String storeUri() {
        return WireProtocolServer.uri(server) + "/cachekit_failure?collection=failure";
    }

    @Override
    protected void stopStore() {
        server.kill();
    }

    @Override
    protected void startStore() {
        server.start();
    }

    @Override
    protected void pauseStore() {
        server.pause();
    }

    @Override
    protected void resumeStore() {
        server.resume();
    }

    /** One byte over what fits: the envelope adds its header, so the document is well over 16 MiB. */
    @Override
    protected int oversizedValueBytes() {
        return 16 * 1024 * 1024;
    }

    @AfterAll
    void stopServer() {
        executor.shutdownNow();
        server.close();
    }

    private MongoBackend backend(Duration timeout) {
        server.start();
        return MongoBackend.create(
                MongoBackendOptions.builder()
                        .connectionString(WireProtocolServer.uri(server))
                        .database("cachekit_failure")
                        .collection("failure")
                        .build(),
                new BackendContext(timeout, Clock.systemUTC(), executor));
    }

    @Test
    void aPausedServerIsATimeoutWithinTheOperationTimeoutAndServesAgainWhenResumed() throws Exception {
        try (MongoBackend backend = backend(SHORT)) {
            backend.set("paused", "k", new byte[] {1}, null);
            server.pause();
            assertThatThrownBy(() -> backend.get("paused", "k")).isInstanceOf(CacheTimeoutException.class);
            assertThatThrownBy(() -> backend.set("paused", "k", new byte[] {2}, Duration.ofMinutes(1)))
                    .isInstanceOf(CacheTimeoutException.class);
            assertThatThrownBy(() -> backend.setMany("paused", Map.of("a", new byte[] {3}), null))
                    .isInstanceOf(CacheTimeoutException.class);
            assertThatThrownBy(() -> backend.setIfAbsent("paused", "b", new byte[] {4}, null))
                    .isInstanceOf(CacheTimeoutException.class);
            assertThatThrownBy(() -> backend.getAsync("paused", "k").get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(CacheTimeoutException.class);
            server.resume();
            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .ignoreExceptionsInstanceOf(CacheBackendException.class)
                    .until(() -> backend.get("paused", "k") != null);
        }
    }

    @Test
    void asyncSetIfAbsentReturnsAtOnceFromAPausedServerAndWritesOnceItAnswers() throws Exception {
        // A timeout long enough that only a call which blocked its caller could find the future already done.
        try (MongoBackend backend = backend(Duration.ofSeconds(30))) {
            backend.set("async", "warm", new byte[] {0}, null);
            server.pause();
            CompletableFuture<byte[]> first = backend.setIfAbsentAsync("async", "k", new byte[] {1}, null);
            CompletableFuture<byte[]> second = backend.setIfAbsentAsync("async", "k", new byte[] {2}, null);
            assertThat(first).as("returned before the paused server answered").isNotDone();
            assertThat(second).isNotDone();
            server.resume();
            byte[] a = first.get(30, TimeUnit.SECONDS);
            byte[] b = second.get(30, TimeUnit.SECONDS);
            assertThat(a == null ^ b == null).as("exactly one of the two wrote").isTrue();
            byte[] stored = backend.get("async", "k");
            assertThat(a == null ? b : a).isEqualTo(stored);
            assertThat(stored).containsExactly(a == null ? 1 : 2);
        }
    }

    @Test
    void aStoppedServerIsABackendErrorThatSaysSoAndTheBackendRecoversOnItsOwn() {
        try (MongoBackend backend = backend(SHORT)) {
            backend.set("stopped", "k", new byte[] {1}, null);
            server.kill();
            Throwable down = catchThrowable(() -> backend.get("stopped", "k"));
            assertThat(down).isInstanceOf(CacheBackendException.class).isNotInstanceOf(CacheTimeoutException.class);
            assertThat(down.getMessage()).contains("cannot reach MongoDB at mongodb://127.0.0.1:" + server.port());
            assertThat(catchThrowable(() -> backend.clear("stopped"))).isInstanceOf(CacheBackendException.class);
            server.start();
            Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .ignoreExceptionsInstanceOf(CacheBackendException.class)
                    .until(() -> {
                        backend.set("stopped", "k", new byte[] {2}, null);
                        return backend.get("stopped", "k")[0] == 2;
                    });
        }
    }

    @Test
    void creatingABackendWhileTheServerIsDownIsStoreUnreachableWithoutCredentials() {
        server.kill();
        URI uri = URI.create("mongodb://cachekit:" + SECRET + "@127.0.0.1:" + server.port() + "/app?authSource=admin");
        Throwable unreachable = catchThrowable(
                () -> new MongoBackendProvider().create(uri, new BackendContext(SHORT, Clock.systemUTC(), executor)));
        assertThat(unreachable)
                .isInstanceOf(StoreUnreachableException.class)
                .hasMessageContaining("127.0.0.1:" + server.port());
        assertThat(messagesOf(unreachable)).noneMatch(m -> m.contains(SECRET));

        // Through Cachekit the provider's StoreUnreachableException starts the cache without the store: it is
        // created, connecting in the background, and its calls fail at once, with the last error but no secret.
        String options = "&namespace=down&timeout=" + SHORT.toMillis() + "ms";
        try (Cache cache = Cachekit.fromUri(uri + options)) {
            assertThat(cache.backendStatus()).isEqualTo(BackendStatus.CONNECTING);
            Throwable call = catchThrowable(() -> cache.get("k", String.class));
            assertThat(call)
                    .isInstanceOf(StoreUnreachableException.class)
                    .hasMessageContaining("not connected to mongodb://***@127.0.0.1:" + server.port());
            assertThat(messagesOf(call)).noneMatch(m -> m.contains(SECRET));
        }
        // With connect=eager creation waits for the store, and fails as the provider does.
        Throwable eager = catchThrowable(() -> Cachekit.fromUri(uri + options + "&connect=eager"));
        assertThat(eager).isInstanceOf(StoreUnreachableException.class);
        assertThat(messagesOf(eager)).noneMatch(m -> m.contains(SECRET));
    }

    static List<String> messagesOf(Throwable t) {
        List<String> messages = new ArrayList<>();
        for (Throwable c = t; c != null; c = c.getCause()) {
            messages.add(String.valueOf(c.getMessage()));
            messages.add(c.toString());
            for (Throwable s : c.getSuppressed()) {
                messages.add(String.valueOf(s.getMessage()));
            }
        }
        return messages;
    }
}
