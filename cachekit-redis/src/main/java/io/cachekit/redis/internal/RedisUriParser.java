package io.cachekit.redis.internal;

import io.cachekit.spi.Redaction;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslVerifyMode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the server part of a Cachekit Redis URI: scheme, credentials, hosts and database. Query options
 * are read elsewhere. Not API; stateless.
 *
 * <p>Forms: {@code redis://[user:password@]host[:port][/database]}, {@code rediss://...} for TLS, and
 * {@code redis-cluster://[user:password@]host1:port1,host2:port2,...} (or {@code rediss-cluster://}) for
 * the seed nodes of a Cluster. The authority is parsed here rather than by {@link URI}, which cannot read
 * a list of hosts, and user and password are percent-decoded.
 */
public final class RedisUriParser {
    /** Port of a host given without one. */
    public static final int DEFAULT_PORT = 6379;

    private RedisUriParser() {}

    /**
     * What a URI names.
     *
     * @param cluster whether the nodes are seeds of a Cluster
     * @param nodes the server, or the Cluster's seed nodes
     */
    public record Endpoints(boolean cluster, List<RedisURI> nodes) {}

    /**
     * Parses {@code uri}; {@code verifyMode} applies to TLS schemes and is {@code null} for the default.
     *
     * @throws IllegalArgumentException naming what is wrong, without the URI's credentials
     */
    public static Endpoints parse(URI uri, SslVerifyMode verifyMode) {
        String shown = Redaction.redactUri(uri.toString());
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean cluster;
        boolean tls;
        switch (scheme) {
            case "redis" -> {
                cluster = false;
                tls = false;
            }
            case "rediss" -> {
                cluster = false;
                tls = true;
            }
            case "redis-cluster" -> {
                cluster = true;
                tls = false;
            }
            case "rediss-cluster" -> {
                cluster = true;
                tls = true;
            }
            default ->
                throw new IllegalArgumentException("Unsupported scheme in " + shown
                        + "; use redis://, rediss://, redis-cluster:// or rediss-cluster://");
        }
        if (verifyMode != null && !tls) {
            throw new IllegalArgumentException(
                    "Option verifyPeer applies to rediss:// and rediss-cluster:// only, not to " + shown);
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("A Redis URI takes no fragment (#...): " + shown);
        }
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw new IllegalArgumentException("Missing host in " + shown + "; for example " + scheme
                    + (cluster ? "://host1:7000,host2:7001" : "://localhost:6379/0"));
        }
        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("Write credentials as user:password@ or :password@ in " + shown);
            }
            user = percentDecode(userInfo.substring(0, colon), shown);
            password = percentDecode(userInfo.substring(colon + 1), shown);
            authority = authority.substring(at + 1);
        }
        int database = database(uri.getRawPath(), shown);
        if (cluster && database != 0) {
            throw new IllegalArgumentException("Redis Cluster has database 0 only; remove the path of " + shown);
        }
        String[] hosts = authority.split(",", -1);
        if (!cluster && hosts.length != 1) {
            throw new IllegalArgumentException(
                    "A list of hosts names Cluster seed nodes: use redis-cluster:// instead of " + shown);
        }
        List<RedisURI> nodes = new ArrayList<>(hosts.length);
        for (String host : hosts) {
            RedisURI.Builder node = hostAndPort(host, shown).withSsl(tls).withDatabase(database);
            if (tls && verifyMode != null) {
                node.withVerifyPeer(verifyMode);
            }
            if (password != null && user.isEmpty()) {
                node.withPassword(password.toCharArray()); // not the String overload, deprecated in 6.x
            } else if (password != null) {
                node.withAuthentication(user, password);
            }
            nodes.add(node.build());
        }
        return new Endpoints(cluster, List.copyOf(nodes));
    }

    private static RedisURI.Builder hostAndPort(String hostPort, String shown) {
        String host;
        String port = null;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("Unclosed IPv6 address '" + hostPort + "' in " + shown);
            }
            host = hostPort.substring(1, close);
            String rest = hostPort.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("Invalid host '" + hostPort + "' in " + shown);
                }
                port = rest.substring(1);
            }
        } else {
            int colon = hostPort.lastIndexOf(':');
            host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            port = colon < 0 ? null : hostPort.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("Empty host in " + shown);
        }
        return RedisURI.Builder.redis(host, port == null ? DEFAULT_PORT : port(port, shown));
    }

    private static int port(String text, String shown) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below, with the URI
        }
        throw new IllegalArgumentException("Invalid port '" + text + "' in " + shown + "; use 1 to 65535");
    }

    private static int database(String path, String shown) {
        if (path == null || path.isEmpty() || path.equals("/")) {
            return 0;
        }
        String db = path.substring(1);
        try {
            int database = Integer.parseInt(db);
            if (database >= 0) {
                return database;
            }
        } catch (NumberFormatException e) {
            // reported below, with the URI
        }
        throw new IllegalArgumentException(
                "The path of " + shown + " must be a database number such as /0, got '" + path + "'");
    }

    /** RFC 3986 percent-decoding: unlike form decoding, {@code +} stays a plus. */
    private static String percentDecode(String text, String shown) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length()) {
                    throw invalidEscape(shown);
                }
                int hi = Character.digit(text.charAt(i + 1), 16);
                int lo = Character.digit(text.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw invalidEscape(shown);
                }
                out.write((hi << 4) | lo);
                i += 2;
            } else {
                int end = i + Character.charCount(text.codePointAt(i));
                byte[] bytes = text.substring(i, end).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
                i = end - 1;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static IllegalArgumentException invalidEscape(String shown) {
        // The credentials are not shown: the message says where, not what.
        return new IllegalArgumentException("Invalid percent-escape in the credentials of " + shown);
    }
}
