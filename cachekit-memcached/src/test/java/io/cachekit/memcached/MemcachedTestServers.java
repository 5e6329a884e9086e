package io.cachekit.memcached;

import io.cachekit.CacheBackendException;
import io.cachekit.Cachekit;
import io.cachekit.spi.BackendContext;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * Where the tests find the two servers that {@code scripts/servers/memcached.sh start} runs. The system property
 * {@code cachekit.memcached.servers} ({@code host:port,host:port}) overrides the default. A server that does not
 * answer fails the test with a hint, never skips it.
 */
final class MemcachedTestServers {
    static final String SERVERS = System.getProperty("cachekit.memcached.servers", "127.0.0.1:11311,127.0.0.1:11312");

    private MemcachedTestServers() {}

    static String uri() {
        return "memcached://" + SERVERS;
    }

    /** The servers as raw text-protocol clients, in the configured order. */
    static List<RawMemcached> raw() {
        return Arrays.stream(SERVERS.split(","))
                .map(hostPort -> {
                    String[] parts = hostPort.trim().split(":");
                    RawMemcached server = new RawMemcached(parts[0], Integer.parseInt(parts[1]));
                    if (!server.answers()) {
                        throw new AssertionError("memcached does not answer at " + hostPort
                                + ": start it with scripts/servers/memcached.sh start");
                    }
                    return server;
                })
                .toList();
    }

    /** A context with the given timeout, the system clock and the common pool. */
    static BackendContext context(Duration timeout) {
        return new BackendContext(timeout, Clock.systemUTC(), ForkJoinPool.commonPool());
    }

    /**
     * Creates the backend of {@code uri} ({@link Cachekit#createBackend}); a server that does not answer fails the
     * test with a hint.
     */
    static MemcachedBackend connect(String uri, BackendContext context) {
        raw(); // fails with a hint when a server is down
        try {
            return (MemcachedBackend) Cachekit.createBackend(uri, context);
        } catch (CacheBackendException e) {
            throw new AssertionError(
                    "memcached does not answer at " + uri + ": start it with scripts/servers/memcached.sh start", e);
        }
    }
}
