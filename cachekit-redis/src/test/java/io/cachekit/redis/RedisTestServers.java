package io.cachekit.redis;

import io.cachekit.CacheBackendException;
import io.cachekit.Cachekit;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Collectors;

/**
 * Where the tests find the servers that {@code scripts/servers/redis.sh start} runs. System properties
 * {@code cachekit.redis.host}, {@code cachekit.redis.port} and {@code cachekit.redis.cluster.ports} override
 * the defaults. A server that does not answer fails the test with a hint, never skips it.
 */
final class RedisTestServers {
    static final String HOST = System.getProperty("cachekit.redis.host", "127.0.0.1");
    static final int PORT = Integer.getInteger("cachekit.redis.port", 6390);
    static final String CLUSTER_PORTS = System.getProperty("cachekit.redis.cluster.ports", "7101,7102,7103");

    private RedisTestServers() {}

    static String standaloneUri() {
        return "redis://" + HOST + ":" + PORT;
    }

    static String clusterUri() {
        return "redis-cluster://"
                + Arrays.stream(CLUSTER_PORTS.split(","))
                        .map(port -> HOST + ":" + port.trim())
                        .collect(Collectors.joining(","));
    }

    /** A context with the given timeout, the system clock and the common pool. */
    static BackendContext context(Duration timeout) {
        return new BackendContext(timeout, Clock.systemUTC(), ForkJoinPool.commonPool());
    }

    /**
     * Creates the backend of {@code uri} ({@link Cachekit#createBackend}); a server that does not answer fails the
     * test with a hint.
     */
    static CacheBackend connect(String uri, BackendContext context) {
        try {
            return Cachekit.createBackend(uri, context);
        } catch (CacheBackendException e) {
            throw new AssertionError(
                    "Redis does not answer at " + uri + ": start it with scripts/servers/redis.sh start", e);
        }
    }
}
