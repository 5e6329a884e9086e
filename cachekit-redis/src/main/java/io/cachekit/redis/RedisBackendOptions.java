package io.cachekit.redis;

import io.cachekit.redis.internal.RedisUriParser;
import io.cachekit.spi.Durations;
import io.cachekit.spi.UriOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.resource.ClientResources;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Settings of a {@link RedisBackend}: which server (or Cluster seed nodes) to connect to, and how.
 *
 * <p>Immutable and thread-safe. Built with {@link #builder()}, whose setters reject invalid values at once
 * with an {@link IllegalArgumentException} (or a {@link NullPointerException} for a null), or read from a
 * URI with {@link #fromUri(URI)}:
 *
 * <pre>{@code
 * redis://localhost:6379/0
 * rediss://app:secret@cache.example.com:6380/2?verifyPeer=ca
 * redis-cluster://app:secret@10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000?scanCount=500
 * }</pre>
 *
 * The command timeout is not set here: it is Cachekit's operation timeout, from the {@code BackendContext}.
 */
public final class RedisBackendOptions {
    /** Query options of Redis URIs. */
    public static final Set<String> URI_OPTIONS =
            Set.of("clientName", "connectTimeout", "scanCount", "maxValueBytes", "verifyPeer");

    /** Redis's own limit on a string value (its default {@code proto-max-bulk-len}): 512 MiB. */
    public static final long REDIS_MAX_VALUE_BYTES = 512L * 1024 * 1024;

    private final boolean cluster;
    private final List<RedisURI> nodes;
    private final String clientName;
    private final Duration connectTimeout;
    private final int scanCount;
    private final long maxValueBytes;
    private final ClientResources clientResources;

    private RedisBackendOptions(Builder b) {
        this.cluster = b.cluster;
        this.nodes = b.nodes.stream().map(RedisBackendOptions::copy).toList();
        this.clientName = b.clientName;
        this.connectTimeout = b.connectTimeout;
        this.scanCount = b.scanCount;
        this.maxValueBytes = b.maxValueBytes;
        this.clientResources = b.clientResources;
    }

    /** A builder with the defaults and no server: call {@link Builder#standalone} or {@link Builder#cluster}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.cluster = cluster;
        b.nodes = nodes;
        b.clientName = clientName;
        b.connectTimeout = connectTimeout;
        b.scanCount = scanCount;
        b.maxValueBytes = maxValueBytes;
        b.clientResources = clientResources;
        return b;
    }

    /**
     * Reads a Redis URI: its scheme ({@code redis}, {@code rediss}, {@code redis-cluster}, {@code
     * rediss-cluster}), credentials, hosts, database and the query options in {@link #URI_OPTIONS}.
     *
     * @throws IllegalArgumentException for an invalid URI or an unknown or invalid option (naming the valid
     *     ones); the message never contains the URI's credentials
     */
    public static RedisBackendOptions fromUri(URI uri) {
        Objects.requireNonNull(uri, "uri");
        UriOptions query = UriOptions.parse(uri, URI_OPTIONS);
        SslVerifyMode verifyMode = verifyMode(query.get("verifyPeer"));
        RedisUriParser.Endpoints endpoints = RedisUriParser.parse(uri, verifyMode);
        Builder b = builder();
        if (endpoints.cluster()) {
            b.cluster(endpoints.nodes());
        } else {
            b.standalone(endpoints.nodes().get(0));
        }
        if (query.get("clientName") != null) {
            b.clientName(query.get("clientName"));
        }
        b.connectTimeout(query.getDuration("connectTimeout", b.connectTimeout));
        b.scanCount(query.getInt("scanCount", b.scanCount));
        b.maxValueBytes(query.getLong("maxValueBytes", b.maxValueBytes));
        return b.build();
    }

    private static SslVerifyMode verifyMode(String value) {
        if (value == null) {
            return null;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "full", "true" -> SslVerifyMode.FULL;
            case "ca" -> SslVerifyMode.CA;
            case "none", "false" -> SslVerifyMode.NONE;
            default ->
                throw new IllegalArgumentException("Option verifyPeer must be full, ca or none, got '" + value + "'");
        };
    }

    /** Whether {@link #nodes()} are the seed nodes of a Redis Cluster rather than one server. */
    public boolean cluster() {
        return cluster;
    }

    /** The server, or the Cluster's seed nodes; copies, so changing them changes nothing here. */
    public List<RedisURI> nodes() {
        return nodes.stream().map(RedisBackendOptions::copy).toList();
    }

    /** The name the connection gives itself ({@code CLIENT SETNAME}), seen in {@code CLIENT LIST}. */
    public String clientName() {
        return clientName;
    }

    /** How long opening a TCP connection may take. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** The {@code COUNT} hint of each {@code SCAN} of {@code clear}, and so the most keys per {@code UNLINK}. */
    public int scanCount() {
        return scanCount;
    }

    /** The largest value written; a larger one fails with a {@code CacheBackendException} before it is sent. */
    public long maxValueBytes() {
        return maxValueBytes;
    }

    /** Lettuce resources shared with the application, or {@code null} when the backend creates (and closes) its own. */
    public ClientResources clientResources() {
        return clientResources;
    }

    /** Where the backend connects: scheme, hosts and database, never credentials. */
    public String target() {
        String hosts =
                nodes.stream().map(n -> hostPort(n.getHost(), n.getPort())).collect(Collectors.joining(","));
        boolean tls = !nodes.isEmpty() && nodes.get(0).isSsl();
        if (cluster) {
            return (tls ? "rediss-cluster://" : "redis-cluster://") + hosts;
        }
        return (tls ? "rediss://" : "redis://") + hosts + "/" + nodes.get(0).getDatabase();
    }

    private static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return "RedisBackendOptions{target=" + target() + ", clientName=" + clientName + ", connectTimeout="
                + connectTimeout + ", scanCount=" + scanCount + ", maxValueBytes=" + maxValueBytes
                + ", sharedClientResources=" + (clientResources != null) + "}";
    }

    private static RedisURI copy(RedisURI uri) {
        return RedisURI.builder(uri).build();
    }

    /**
     * Builds {@link RedisBackendOptions}. Not thread-safe. Defaults: client name {@code cachekit}, connect
     * timeout 10 s, scan count 1000, max value 512 MiB, own client resources.
     */
    public static final class Builder {
        private boolean cluster;
        private List<RedisURI> nodes = List.of();
        private String clientName = "cachekit";
        private Duration connectTimeout = Duration.ofSeconds(10);
        private int scanCount = 1000;
        private long maxValueBytes = REDIS_MAX_VALUE_BYTES;
        private ClientResources clientResources;

        private Builder() {}

        /** Connect to one server (host, port, TLS, credentials and database as in the {@code RedisURI}). */
        public Builder standalone(RedisURI server) {
            Objects.requireNonNull(server, "server");
            if (server.getHost() == null) {
                throw new IllegalArgumentException("A standalone RedisURI needs a host");
            }
            this.cluster = false;
            this.nodes = List.of(copy(server));
            return this;
        }

        /** Connect to a Redis Cluster through these seed nodes (any reachable ones; the rest is discovered). */
        public Builder cluster(Collection<RedisURI> seeds) {
            Objects.requireNonNull(seeds, "seeds");
            if (seeds.isEmpty()) {
                throw new IllegalArgumentException("A Redis Cluster needs at least one seed node");
            }
            List<RedisURI> copies = new ArrayList<>(seeds.size());
            for (RedisURI seed : seeds) {
                Objects.requireNonNull(seed, "seed");
                if (seed.getHost() == null) {
                    throw new IllegalArgumentException("Every Cluster seed RedisURI needs a host");
                }
                if (seed.getDatabase() != 0) {
                    throw new IllegalArgumentException(
                            "Redis Cluster has database 0 only, got " + seed.getDatabase() + " for a seed node");
                }
                copies.add(copy(seed));
            }
            if (copies.stream().map(RedisURI::isSsl).distinct().count() > 1) {
                throw new IllegalArgumentException("Cluster seed nodes must all use TLS or all not use it");
            }
            this.cluster = true;
            this.nodes = List.copyOf(copies);
            return this;
        }

        /** {@link #cluster(Collection)} for seeds given one by one. */
        public Builder cluster(RedisURI... seeds) {
            return cluster(List.of(seeds));
        }

        /** The connection's name in {@code CLIENT LIST}: 1 to 64 characters without spaces; {@code cachekit} by default. */
        public Builder clientName(String clientName) {
            Objects.requireNonNull(clientName, "clientName");
            if (clientName.isEmpty()
                    || clientName.length() > 64
                    || !clientName.chars().allMatch(c -> c > ' ' && c < 127)) {
                throw new IllegalArgumentException(
                        "clientName must be 1 to 64 printable ASCII characters without spaces, got '" + clientName
                                + "'");
            }
            this.clientName = clientName;
            return this;
        }

        /** How long opening a TCP connection may take; positive, 10 s by default. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Durations.requirePositive("connectTimeout", connectTimeout);
            return this;
        }

        /** The {@code COUNT} of each {@code SCAN} that {@code clear} sends: 1 to 1,000,000; 1000 by default. */
        public Builder scanCount(int scanCount) {
            if (scanCount < 1 || scanCount > 1_000_000) {
                throw new IllegalArgumentException("scanCount must be between 1 and 1000000, got " + scanCount);
            }
            this.scanCount = scanCount;
            return this;
        }

        /** The largest value written: 1 byte to 512 MiB (Redis's limit, the default). */
        public Builder maxValueBytes(long maxValueBytes) {
            if (maxValueBytes < 1 || maxValueBytes > REDIS_MAX_VALUE_BYTES) {
                throw new IllegalArgumentException(
                        "maxValueBytes must be between 1 and " + REDIS_MAX_VALUE_BYTES + ", got " + maxValueBytes);
            }
            this.maxValueBytes = maxValueBytes;
            return this;
        }

        /**
         * Lettuce resources (event loops, timers) to share with other clients of the application. The backend
         * then does not shut them down on close. Without them it creates its own, with reconnection backing off
         * from 1 ms to at most 1 s.
         */
        public Builder clientResources(ClientResources clientResources) {
            this.clientResources = Objects.requireNonNull(clientResources, "clientResources");
            return this;
        }

        /** @throws IllegalStateException when neither a server nor Cluster seeds were given */
        public RedisBackendOptions build() {
            if (nodes.isEmpty()) {
                throw new IllegalStateException("No Redis server: call standalone(RedisURI) or cluster(RedisURI...)");
            }
            return new RedisBackendOptions(this);
        }
    }
}
