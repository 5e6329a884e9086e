package io.cachekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.cachekit.Cache;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.Cached;
import io.cachekit.Cachekit;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis backend when its server fails: stopped mid-run, paused, refusing credentials. Each test runs a
 * redis-server process of its own on port 6391 (or {@code cachekit.redis.failure.port}), with an ACL user
 * {@code app}, so it can stop and start it.
 */
class RedisBackendFailureTest {
    private static final int PORT = Integer.getInteger("cachekit.redis.failure.port", 6391);
    private static final String SECRET = "s3cr3t-Pw";
    private static final String URI = "redis://app:" + SECRET + "@127.0.0.1:" + PORT;

    @TempDir
    Path dir;

    private RedisProcess server;

    @BeforeEach
    void startServer() {
        // redis-server joins the words after --user into one ACL rule.
        server = RedisProcess.start(PORT, dir, "--user", "app", "on", ">" + SECRET, "~*", "&*", "+@all");
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    /** A service whose results are cached. */
    interface Prices {
        @Cached(ttl = "10m")
        String price(String sku);
    }

    @Test
    void methodCachingAnswersThroughTheRealMethodWhileTheServerIsDownThenCachesAgain() {
        AtomicInteger calls = new AtomicInteger();
        Prices real = sku -> {
            calls.incrementAndGet();
            return "price of " + sku;
        };
        try (Cache cache = Cachekit.fromUri(URI + "?namespace=prices&timeout=500ms")) {
            Prices prices = cache.proxy(Prices.class, real);
            assertThat(prices.price("a")).isEqualTo("price of a");
            assertThat(prices.price("a")).isEqualTo("price of a");
            assertThat(calls).as("the second call is a hit").hasValue(1);
            assertThat(cache.stats().errors()).isZero();

            server.stop();
            for (int i = 0; i < 3; i++) {
                assertThat(prices.price("a")).isEqualTo("price of a");
            }
            assertThat(calls)
                    .as("every call runs the real method while Redis is down")
                    .hasValue(4);
            assertThat(cache.stats().errors()).as("each failed read is counted").isGreaterThanOrEqualTo(3);

            server.start();
            // The client reconnects in the background; the direct API throws until it has.
            Awaitility.await("reconnected")
                    .atMost(Duration.ofSeconds(30))
                    .ignoreExceptionsInstanceOf(CacheBackendException.class)
                    .until(() -> !cache.has("probe"));
            long errorsAfterRecovery = cache.stats().errors();

            assertThat(prices.price("b")).isEqualTo("price of b");
            assertThat(prices.price("b")).isEqualTo("price of b");
            assertThat(prices.price("b")).isEqualTo("price of b");
            assertThat(calls).as("one load, then hits").hasValue(5);
            // The restarted server kept nothing (no persistence), so "a" is loaded once more, then cached.
            assertThat(prices.price("a")).isEqualTo("price of a");
            assertThat(prices.price("a")).isEqualTo("price of a");
            assertThat(calls).hasValue(6);
            assertThat(cache.stats().errors()).isEqualTo(errorsAfterRecovery);
        }
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

        Throwable unreachable = catchThrowable(() -> Cachekit.fromUri("redis://app:" + SECRET + "@127.0.0.1:1"));
        assertThat(unreachable).isInstanceOf(CacheBackendException.class);
        assertNoSecret(unreachable, SECRET);

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
