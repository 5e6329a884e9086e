package io.cachekit.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.cachekit.Cache;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.Cachekit;
import io.cachekit.StoreUnreachableException;
import io.cachekit.spi.BackendContext;
import io.cachekit.tck.CacheBackendFailureContract;
import io.cachekit.tck.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The DynamoDB backend when its endpoint fails: the failure contract, plus the backend's own cases. The test
 * runs a dynalite process of its own on port 8601 (or {@code cachekit.dynamodb.failure.port}) with its
 * tables on disk, so it can kill, pause and restart it; the other ports up to 8609 stay free for more.
 */
class DynamoDbBackendFailureTest extends CacheBackendFailureContract {
    private static final int PORT = Integer.getInteger("cachekit.dynamodb.failure.port", 8601);
    private static final int UNUSED_PORT = PORT + 8;
    private static final String TABLE = "cachekit_failure";
    private static final String SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";

    private Path dataDir;
    private ServerProcess server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);

    @BeforeAll
    void startServer() throws IOException {
        dataDir = Files.createTempDirectory("cachekit-dynalite-");
        server = DynaliteProcess.start(PORT, dataDir);
    }

    @AfterAll
    void stopServer() throws IOException {
        executor.shutdownNow();
        if (server != null) {
            server.close();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Override
    protected String storeUri() {
        return "dynamodb://" + TABLE + "?region=us-east-1&endpoint=http://" + server.address();
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

    @Override
    protected int oversizedValueBytes() {
        return 500_000;
    }

    @Test
    void directCallsFailWithABackendExceptionWhileTheEndpointIsDown() {
        try (Cache cache = newCache("")) {
            cache.set("k", "v");
            server.kill();
            assertThatThrownBy(() -> cache.get("k", String.class))
                    .isInstanceOf(CacheBackendException.class)
                    .hasMessageContaining("dynamodb get")
                    .hasMessageContaining(TABLE);
            assertThat(cache.async().set("k", "w"))
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(CacheBackendException.class);
            assertThatThrownBy(cache::clear).isInstanceOf(CacheBackendException.class);
            assertThat(cache.stats().errors()).isEqualTo(3);

            server.start();
            assertThat(cache.get("k", String.class))
                    .as("the table survived the outage")
                    .isEqualTo("v");
        }
    }

    @Test
    void aPausedEndpointMakesCallsEndWithATimeoutAndAsyncCallersAreNotBlocked() {
        try (Cache cache = newCache("")) {
            cache.set("k", "v");
            DynamoDbBackend backend = cache.unwrap(DynamoDbBackend.class);
            server.pause();

            assertThatThrownBy(() -> cache.get("k", String.class)).isInstanceOf(CacheTimeoutException.class);

            CompletableFuture<byte[]> pending = backend.getAsync(cache.config().namespace(), "k");
            assertThat(pending)
                    .as("the async call returned before the paused server could answer")
                    .isNotDone();
            assertThat(pending)
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(CacheTimeoutException.class);
            assertThat(backend.setManyAsync(cache.config().namespace(), java.util.Map.of("a", new byte[] {1}), null))
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(CacheTimeoutException.class);
            CompletableFuture<byte[]> conditional =
                    backend.setIfAbsentAsync(cache.config().namespace(), "absent", new byte[] {1}, null);
            assertThat(conditional)
                    .as("the conditional write returned before the paused server could answer")
                    .isNotDone();
            assertThat(conditional)
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(CacheTimeoutException.class);
            assertThatThrownBy(() -> backend.setIfAbsent(cache.config().namespace(), "absent", new byte[] {1}, null))
                    .isInstanceOf(CacheTimeoutException.class);

            server.resume();
            assertThat(cache.get("k", String.class)).isEqualTo("v");
        }
    }

    @Test
    void creatingABackendOnAnEndpointThatDoesNotAnswerFailsAsUnreachable() {
        String unreachable = "dynamodb://" + TABLE + "?region=us-east-1&endpoint=http://127.0.0.1:" + UNUSED_PORT;
        Throwable fromProvider = catchThrowable(() -> new DynamoDbBackendProvider()
                .create(
                        java.net.URI.create(unreachable),
                        new BackendContext(Duration.ofMillis(500), Clock.systemUTC(), executor)));
        assertThat(fromProvider).isInstanceOf(StoreUnreachableException.class).hasMessageContaining("does not answer");
        Throwable eager = catchThrowable(() -> Cachekit.fromUri(unreachable + "&timeout=500ms&connect=eager"));
        assertThat(eager).isInstanceOf(StoreUnreachableException.class);

        server.pause();
        Throwable paused = catchThrowable(() -> DynamoDbBackend.create(
                DynamoDbBackendOptions.fromUri(java.net.URI.create(storeUri())),
                new BackendContext(Duration.ofMillis(500), Clock.systemUTC(), executor)));
        assertThat(paused).isInstanceOf(StoreUnreachableException.class);
    }

    @Test
    void credentialsNeverAppearInMessagesOrStrings() {
        StaticCredentialsProvider credentials =
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", SECRET));
        DynamoDbBackendOptions options = DynamoDbBackendOptions.builder()
                .table(TABLE)
                .region("us-east-1")
                .endpoint("http://" + server.address())
                .credentialsProvider(credentials)
                .build();
        assertThat(options.toString()).doesNotContain(SECRET);
        BackendContext context = new BackendContext(Duration.ofMillis(500), Clock.systemUTC(), executor);
        try (DynamoDbBackend backend = DynamoDbBackend.create(options, context)) {
            assertThat(backend.toString()).doesNotContain(SECRET);
            backend.set("ns", "k", new byte[] {1}, null);
            server.kill();
            assertNoSecret(catchThrowable(() -> backend.get("ns", "k")), SECRET);
            assertNoSecret(
                    catchThrowable(() ->
                            backend.setAsync("ns", "k", new byte[] {2}, null).join()),
                    SECRET);
        }
        server.start();

        Throwable unreachable = catchThrowable(() -> DynamoDbBackend.create(
                options.toBuilder().endpoint("http://127.0.0.1:" + UNUSED_PORT).build(), context));
        assertThat(unreachable).isInstanceOf(StoreUnreachableException.class);
        assertNoSecret(unreachable, SECRET);

        Throwable inUri = catchThrowable(
                () -> Cachekit.fromUri("dynamodb://AKIDEXAMPLE:" + SECRET + "@" + TABLE + "?region=us-east-1"));
        assertThat(inUri).isInstanceOf(IllegalArgumentException.class);
        assertNoSecret(inUri, SECRET);

        Throwable inEndpoint = catchThrowable(() -> Cachekit.fromUri("dynamodb://" + TABLE
                + "?region=us-east-1&endpoint=http://AKIDEXAMPLE:" + SECRET + "@127.0.0.1:" + PORT));
        assertThat(inEndpoint).isInstanceOf(IllegalArgumentException.class);
        assertNoSecret(inEndpoint, SECRET);
    }

    /** Neither the message nor the string form of any exception in the chain holds {@code secret}. */
    private static void assertNoSecret(Throwable error, String secret) {
        assertThat(error).isNotNull();
        for (Throwable t = error; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(secret);
            assertThat(t.toString()).doesNotContain(secret);
            for (Throwable suppressed : t.getSuppressed()) {
                assertThat(suppressed.toString()).doesNotContain(secret);
            }
        }
    }
}
