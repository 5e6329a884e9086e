package io.cachekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.cachekit.BackendStatus;
import io.cachekit.Cache;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.Cachekit;
import io.cachekit.StoreUnreachableException;
import io.cachekit.tck.CacheBackendFailureContract;
import io.cachekit.tck.ServerProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis backend when its server fails: the failure contract (stopped, killed under load, paused, down
 * at creation, oversized values, foreign bytes), and Redis's own cases (CLIENT PAUSE, ACL credentials,
 * invalid options). The class runs a redis-server process of its own on port 6391 (or {@code
 * cachekit.redis.failure.port}), with an ACL user {@code app}, so it can stop, pause and start it.
 */
class RedisBackendFailureTest extends CacheBackendFailureContract {
    private static final int PORT = Integer.getInteger("cachekit.redis.failure.port", 6391);
    private static final String SECRET = "s3cr3t-Pw";
    private static final String URI = "redis://app:" + SECRET + "@127.0.0.1:" + PORT;

    private ServerProcess server;

    @BeforeAll
    void startServer() throws IOException {
        // redis-server joins the words after --user into one ACL rule.
        server = RedisProcess.start(
                PORT,
                Files.createTempDirectory("cachekit-redis-failure"),
                "--user",
                "app",
                "on",
                ">" + SECRET,
                "~*",
                "&*",
                "+@all");
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected String storeUri() {
        return URI + "?maxValueBytes=1048576";
    }

    @Override
    protected void stopStore() {
        server.stop();
    }

    @Override
    protected void startStore() {
        if (!server.running()) {
            server.start();
        }
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
        return 2 * 1024 * 1024;
    }

    @Test
    void directCallsFailWithABackendExceptionWhileTheServerIsDown() {
        try (Cache cache = Cachekit.fromUri(URI + "?namespace=direct&timeout=500ms")) {
            cache.set("k", "v");
            server.stop();
            assertThatThrownBy(() -> cache.get("k", String.class))
                    .isInstanceOf(CacheBackendException.class)
                    .hasMessageContaining("redis")
                    .hasMessageNotContaining(SECRET);
            assertThat(cache.async().set("k", "w"))
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(CacheBackendException.class);
            assertThat(cache.stats().errors()).isEqualTo(2);
        }
    }

    @Test
    void aPausedServerMakesCallsEndWithATimeout() {
        try (Cache cache = Cachekit.fromUri(URI + "?namespace=paused&timeout=300ms");
                RedisClient admin = RedisClient.create(RedisURI.Builder.redis("127.0.0.1", PORT)
                        .withAuthentication("app", SECRET)
                        .build());
                StatefulRedisConnection<String, String> adminConnection = admin.connect()) {
            cache.set("k", "v");
            assertThat(cache.get("k", String.class)).isEqualTo("v");

            // CLIENT PAUSE 5000 ALL: the server holds every client's commands for five seconds.
            adminConnection.sync().clientPause(5000);

            assertThatThrownBy(() -> cache.get("k", String.class)).isInstanceOf(CacheTimeoutException.class);
            assertThat(cache.async().get("k", String.class))
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(CacheTimeoutException.class);
            assertThat(cache.stats().errors()).isEqualTo(2);
            // CLIENT PAUSE outlives the test: a restart ends it before the next test connects.
            server.stop();
        }
    }

    @Test
    void aclUserAndDatabaseFromTheUri() {
        try (Cache cache = Cachekit.fromUri(URI + "/5?namespace=acl")) {
            cache.set("k", "in database 5");
            assertThat(cache.get("k", String.class)).isEqualTo("in database 5");
            try (RedisClient client = RedisClient.create(RedisURI.Builder.redis("127.0.0.1", PORT)
                            .withAuthentication("app", SECRET)
                            .withDatabase(5)
                            .build());
                    StatefulRedisConnection<String, String> connection = client.connect()) {
                assertThat(connection.sync().exists("acl:k")).isEqualTo(1L);
            }
        }
    }

    @Test
    void credentialsNeverAppearInExceptions() {
        String wrongSecret = "wr0ng-S3cret";
        Throwable wrongPassword =
                catchThrowable(() -> Cachekit.fromUri("redis://app:" + wrongSecret + "@127.0.0.1:" + PORT));
        assertThat(wrongPassword).isInstanceOf(CacheBackendException.class);
        assertNoSecret(wrongPassword, wrongSecret);

        try (Cache unreachable = Cachekit.fromUri("redis://app:" + SECRET + "@127.0.0.1:1")) {
            assertThat(unreachable.backendStatus()).isEqualTo(BackendStatus.CONNECTING);
            Throwable notConnected = catchThrowable(() -> unreachable.get("k", String.class));
            assertThat(notConnected).isInstanceOf(StoreUnreachableException.class);
            assertNoSecret(notConnected, SECRET);
        }

        Throwable badPort = catchThrowable(() -> Cachekit.fromUri("redis://app:" + SECRET + "@127.0.0.1:port"));
        assertThat(badPort).isInstanceOf(IllegalArgumentException.class);
        assertNoSecret(badPort, SECRET);

        try (Cache cache = Cachekit.fromUri(URI + "?namespace=secret&timeout=500ms")) {
            assertThat(cache.toString()).doesNotContain(SECRET);
            assertThat(cache.config().toString()).doesNotContain(SECRET);
            server.stop();
            Throwable down = catchThrowable(() -> cache.get("k", String.class));
            assertThat(down).isInstanceOf(CacheBackendException.class);
            assertNoSecret(down, SECRET);
        }
    }

    @Test
    void invalidOptionsNameTheValidOnes() {
        assertThatThrownBy(() -> Cachekit.fromUri(URI + "?scancount=10"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'scancount'")
                .hasMessageContaining("clientName, connectTimeout, maxValueBytes, scanCount, verifyPeer")
                .hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> Cachekit.fromUri(URI + "?scanCount=0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scanCount");
        assertThatThrownBy(() -> Cachekit.fromUri(URI + "?verifyPeer=none"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rediss://");
    }

    /** Neither the message nor the string form of any exception in the chain holds {@code secret}. */
    private static void assertNoSecret(Throwable error, String secret) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(secret);
            assertThat(t.toString()).doesNotContain(secret);
            for (Throwable suppressed : t.getSuppressed()) {
                assertThat(suppressed.toString()).doesNotContain(secret);
            }
        }
    }
}
