package io.cachekit.memcached;

import io.cachekit.spi.Durations;
import io.cachekit.spi.UriOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Settings of a {@link MemcachedBackend}: which servers, SASL credentials, the connection pool, the largest
 * value written and how long a get reuses a namespace generation.
 *
 * <p>Immutable and thread-safe. Built with {@link #builder()}, whose setters reject invalid values at once with
 * an {@link IllegalArgumentException} (or a {@link NullPointerException} for a null), or read from a URI with
 * {@link #fromUri(URI)}:
 *
 * <pre>{@code
 * memcached://localhost:11211
 * memcached://cache1:11211,cache2:11211,cache3:11211?connectionPoolSize=2
 * memcached://app:secret@cache1:11211,cache2:11211?maxValueBytes=4193280
 * memcached://localhost:11211?generationReuse=250ms
 * }</pre>
 *
 * The operation timeout is not set here: it is Cachekit's, from the {@code BackendContext}. The password is never
 * part of {@link #toString()} or of any message.
 */
public final class MemcachedBackendOptions {
    /** Query options of {@code memcached://} URIs. */
    public static final Set<String> URI_OPTIONS = Set.of("connectionPoolSize", "maxValueBytes", "generationReuse");

    /** The port of a server given without one. */
    public static final int DEFAULT_PORT = 11211;

    /** memcached's default item size limit ({@code -I 1m}). */
    public static final int DEFAULT_ITEM_SIZE_MAX = 1024 * 1024;

    /**
     * What an item needs beside the bytes Cachekit hands the backend, rounded up: memcached's item header (about
     * 56 bytes with CAS and flags), the key (at most 250 bytes) and this backend's 10-byte generation header.
     */
    public static final int ITEM_OVERHEAD = 1024;

    /** The default {@link #maxValueBytes()}: 1 MiB minus {@link #ITEM_OVERHEAD}, what a default server stores. */
    public static final int DEFAULT_MAX_VALUE_BYTES = DEFAULT_ITEM_SIZE_MAX - ITEM_OVERHEAD;

    /** memcached's largest item size ({@code -I 1024m}) minus {@link #ITEM_OVERHEAD}. */
    public static final int MAX_MAX_VALUE_BYTES = 1024 * 1024 * 1024 - ITEM_OVERHEAD;

    /** The default {@link #generationReuse()}: one second. */
    public static final Duration DEFAULT_GENERATION_REUSE = Duration.ofSeconds(1);

    /** The longest {@link Builder#generationReuse}: ten seconds, as every clear waits that long. */
    public static final Duration LONGEST_GENERATION_REUSE = Duration.ofSeconds(10);

    private final List<Server> servers;
    private final String user;
    private final String password;
    private final int connectionPoolSize;
    private final int maxValueBytes;
    private final Duration generationReuse;

    private MemcachedBackendOptions(Builder b) {
        this.servers = List.copyOf(b.servers);
        this.user = b.user;
        this.password = b.password;
        this.connectionPoolSize = b.connectionPoolSize;
        this.maxValueBytes = b.maxValueBytes;
        this.generationReuse = b.generationReuse;
    }

    /** A memcached server's host and port, as configured. */
    public record Server(String host, int port) {
        /** Checks the host and port. */
        public Server {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("A memcached server needs a host");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("Port must be between 1 and 65535, got " + port);
            }
        }

        /** {@code host:port}, with IPv6 hosts in brackets. */
        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** A builder with the defaults and no server: add at least one with {@link Builder#server}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.servers.addAll(servers);
        b.user = user;
        b.password = password;
        b.connectionPoolSize = connectionPoolSize;
        b.maxValueBytes = maxValueBytes;
        b.generationReuse = generationReuse;
        return b;
    }

    /**
     * Reads a {@code memcached://[user:password@]host[:port][,host[:port]...][?options]} URI: one or several
     * servers (port 11211 when absent), optional SASL credentials (percent-decoded), and the query options in
     * {@link #URI_OPTIONS}.
     *
     * @throws IllegalArgumentException for an invalid URI or an unknown or invalid option (naming the valid ones);
     *     the message never contains the URI's credentials
     */
    public static MemcachedBackendOptions fromUri(URI uri) {
        Objects.requireNonNull(uri, "uri");
        if (!"memcached".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("Not a memcached:// URI: " + uri.getScheme() + "://");
        }
        UriOptions query = UriOptions.parse(uri, URI_OPTIONS);
        String path = uri.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            throw new IllegalArgumentException(
                    "memcached:// URIs have no path (memcached has no databases); got '" + path + "'");
        }
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw new IllegalArgumentException("memcached:// URI needs at least one server: memcached://host:11211");
        }
        Builder b = builder();
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException(
                        "memcached:// credentials need a user and a password (user:password@); got a user only");
            }
            b.credentials(decode(userInfo.substring(0, colon)), decode(userInfo.substring(colon + 1)));
            authority = authority.substring(at + 1);
        }
        for (String hostPort : authority.split(",", -1)) {
            b.server(parseServer(hostPort.trim()));
        }
        b.connectionPoolSize(query.getInt("connectionPoolSize", b.connectionPoolSize));
        b.maxValueBytes(query.getInt("maxValueBytes", b.maxValueBytes));
        b.generationReuse(query.getDuration("generationReuse", b.generationReuse));
        return b.build();
    }

    private static String decode(String s) {
        // Percent-decoding only: a '+' in a password stays a plus.
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Parses {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}. */
    static Server parseServer(String hostPort) {
        if (hostPort.isEmpty()) {
            throw new IllegalArgumentException("Empty server in the memcached:// server list");
        }
        String host;
        String port = null;
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException("Unclosed '[' in memcached server '" + hostPort + "'");
            }
            host = hostPort.substring(1, end);
            String rest = hostPort.substring(end + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("Invalid memcached server '" + hostPort + "'");
                }
                port = rest.substring(1);
            }
        } else {
            int colon = hostPort.lastIndexOf(':');
            if (colon >= 0) {
                host = hostPort.substring(0, colon);
                port = hostPort.substring(colon + 1);
            } else {
                host = hostPort;
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("Memcached server '" + hostPort + "' has no host");
        }
        if (port == null) {
            return new Server(host, DEFAULT_PORT);
        }
        try {
            return new Server(host, Integer.parseInt(port));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Memcached server '" + hostPort + "' has an invalid port '" + port + "'", e);
        }
    }

    /** The servers, in the order given; keys are spread over them by ketama consistent hashing. */
    public List<Server> servers() {
        return servers;
    }

    /** The SASL user, or {@code null} without authentication. */
    public String user() {
        return user;
    }

    /** The SASL password, or {@code null} without authentication. Never logged. */
    public String password() {
        return password;
    }

    /** TCP connections per server. */
    public int connectionPoolSize() {
        return connectionPoolSize;
    }

    /**
     * The largest value written, in bytes of Cachekit's entry; a larger one fails with a {@code
     * CacheValueTooLargeException} before anything is sent.
     */
    public int maxValueBytes() {
        return maxValueBytes;
    }

    /**
     * How long a get may reuse a namespace generation this process asked a server for, so that it fetches the
     * entry alone (one key, which xmemcached merges with other threads' gets) instead of the entry with its
     * server's generation counter; every clear waits this long after its increments before it returns, so that
     * no process reads an entry written before it. Zero: every get fetches the counter, and clear returns at
     * once. Every process on the servers should use the same value (or clearers one at least as long as any
     * reader's): a clear waits its own process's.
     */
    public Duration generationReuse() {
        return generationReuse;
    }

    /** Where the backend connects: {@code memcached://host:port,...}, never credentials. */
    public String target() {
        return "memcached://" + servers.stream().map(Server::toString).collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
        return "MemcachedBackendOptions{target=" + target() + ", sasl=" + (user != null) + ", connectionPoolSize="
                + connectionPoolSize + ", maxValueBytes=" + maxValueBytes + ", generationReuse=" + generationReuse
                + "}";
    }

    /**
     * Builds {@link MemcachedBackendOptions}. Not thread-safe. Defaults: no authentication, one connection per
     * server, values up to {@link #DEFAULT_MAX_VALUE_BYTES}, a one-second {@code generationReuse}.
     */
    public static final class Builder {
        private final List<Server> servers = new ArrayList<>();
        private String user;
        private String password;
        private int connectionPoolSize = 1;
        private int maxValueBytes = DEFAULT_MAX_VALUE_BYTES;
        private Duration generationReuse = DEFAULT_GENERATION_REUSE;

        private Builder() {}

        /** Adds a server; the same server twice is rejected. */
        public Builder server(String host, int port) {
            return server(new Server(host, port));
        }

        /** Adds a server; the same server twice is rejected. */
        public Builder server(Server server) {
            Objects.requireNonNull(server, "server");
            Server normalized = new Server(server.host().toLowerCase(Locale.ROOT), server.port());
            if (servers.stream()
                    .anyMatch(s -> s.host().toLowerCase(Locale.ROOT).equals(normalized.host())
                            && s.port() == normalized.port())) {
                throw new IllegalArgumentException("Memcached server " + server + " is given twice");
            }
            servers.add(server);
            return this;
        }

        /** Adds servers from a list such as {@code "cache1:11211,cache2:11211"}. */
        public Builder servers(String hostPorts) {
            Objects.requireNonNull(hostPorts, "hostPorts");
            for (String hostPort : hostPorts.split(",", -1)) {
                server(parseServer(hostPort.trim()));
            }
            return this;
        }

        /** SASL PLAIN credentials, sent to every server (memcached run with {@code -S}); both non-empty. */
        public Builder credentials(String user, String password) {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            if (user.isEmpty() || password.isEmpty()) {
                throw new IllegalArgumentException("SASL user and password must not be empty");
            }
            this.user = user;
            this.password = password;
            return this;
        }

        /** TCP connections per server: 1 to 64; 1 by default (xmemcached pipelines the commands of every thread). */
        public Builder connectionPoolSize(int connectionPoolSize) {
            if (connectionPoolSize < 1 || connectionPoolSize > 64) {
                throw new IllegalArgumentException(
                        "connectionPoolSize must be between 1 and 64, got " + connectionPoolSize);
            }
            this.connectionPoolSize = connectionPoolSize;
            return this;
        }

        /**
         * The largest value written: 1 byte to {@link #MAX_MAX_VALUE_BYTES}; {@link #DEFAULT_MAX_VALUE_BYTES} by
         * default. For servers run with a larger item size ({@code -I 4m}), set it to that size minus {@link
         * #ITEM_OVERHEAD} (4,193,280 for 4 MiB).
         */
        public Builder maxValueBytes(int maxValueBytes) {
            if (maxValueBytes < 1 || maxValueBytes > MAX_MAX_VALUE_BYTES) {
                throw new IllegalArgumentException(
                        "maxValueBytes must be between 1 and " + MAX_MAX_VALUE_BYTES + ", got " + maxValueBytes);
            }
            this.maxValueBytes = maxValueBytes;
            return this;
        }

        /**
         * How long a get may reuse a generation it asked for (see {@link
         * MemcachedBackendOptions#generationReuse()}): zero to ten seconds; one second by default. Longer makes
         * fewer gets fetch the counter and every clear slower by as much.
         */
        public Builder generationReuse(Duration generationReuse) {
            this.generationReuse =
                    Durations.requireBetweenZeroAnd("generationReuse", generationReuse, LONGEST_GENERATION_REUSE);
            return this;
        }

        /** @throws IllegalStateException when no server was given */
        public MemcachedBackendOptions build() {
            if (servers.isEmpty()) {
                throw new IllegalStateException("No memcached server: call server(host, port)");
            }
            return new MemcachedBackendOptions(this);
        }
    }
}
