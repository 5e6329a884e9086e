package io.cachekit.postgres;

import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.spi.CacheBackendProvider;
import io.cachekit.spi.Redaction;
import io.cachekit.spi.UriOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Creates a {@link PostgresBackend} from a URI of scheme {@code postgresql} or {@code postgres}:
 *
 * <pre>{@code
 * postgresql://user:password@127.0.0.1:5432/app?schema=public&table=cachekit_entries&unlogged=true
 * }</pre>
 *
 * <p>Host defaults to {@code localhost}, port to 5432; the path names the database (empty: the driver's
 * default, the user name). User and password are percent-decoded. Options: {@code schema}, {@code table},
 * {@code unlogged}, {@code createTable}, {@code purgeInterval} (a duration such as {@code 30s}, {@code 0s}
 * for none), {@code purgeBatchSize}, {@code poolSize}, {@code maxValueBytes} and {@code sslmode} (passed to pgjdbc); see {@link
 * PostgresBackendOptions} for their meaning and defaults. An unknown option fails with an {@link
 * IllegalArgumentException} that lists the valid ones.
 *
 * <p>Stateless and thread-safe; found by {@link java.util.ServiceLoader}. Messages never contain the
 * password.
 */
public final class PostgresBackendProvider implements CacheBackendProvider {
    private static final Set<String> OPTIONS = Set.of(
            "schema",
            "table",
            "unlogged",
            "createTable",
            "purgeInterval",
            "purgeBatchSize",
            "poolSize",
            "maxValueBytes",
            "sslmode");

    /** Used by {@link java.util.ServiceLoader}. */
    public PostgresBackendProvider() {}

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("postgresql", "postgres");
    }

    @Override
    public Set<String> options() {
        return OPTIONS;
    }

    @Override
    public CacheBackend create(URI uri, BackendContext context) {
        return PostgresBackend.create(toOptions(uri), context);
    }

    /**
     * Reads a backend URI into options, without connecting.
     *
     * @throws IllegalArgumentException for another scheme, a bad option or value; the message shows the URI
     *     without its credentials
     */
    public static PostgresBackendOptions toOptions(URI uri) {
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equals("postgresql") || scheme.equals("postgres"))) {
            throw new IllegalArgumentException(
                    "Not a PostgreSQL URI (postgresql:// or postgres://): " + Redaction.redactUri(uri.toString()));
        }
        if (uri.getRawAuthority() != null && uri.getHost() == null) {
            throw new IllegalArgumentException("Cannot read the host of " + Redaction.redactUri(uri.toString())
                    + "; use postgresql://user:password@host:port/database");
        }
        UriOptions query = UriOptions.parse(uri, OPTIONS);
        String host = uri.getHost() == null ? "localhost" : uri.getHost();
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String rawPath = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        if (database.contains("/")) {
            throw new IllegalArgumentException("The path of " + Redaction.redactUri(uri.toString())
                    + " must be a database name only, such as /app");
        }

        PostgresBackendOptions.Builder builder = PostgresBackendOptions.builder()
                // The database stays percent-encoded: pgjdbc decodes it from the JDBC URL.
                .jdbcUrl("jdbc:postgresql://" + host + ":" + port + "/" + database);
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
            String password = colon < 0 ? null : userInfo.substring(colon + 1);
            builder.credentials(
                    user.isEmpty() ? null : percentDecode(user), password == null ? null : percentDecode(password));
        }
        builder.schema(query.getString("schema", PostgresBackendOptions.DEFAULT_SCHEMA))
                .table(query.getString("table", PostgresBackendOptions.DEFAULT_TABLE))
                .unlogged(query.getBoolean("unlogged", false))
                .createTable(query.getBoolean("createTable", true))
                .purgeInterval(query.getDuration("purgeInterval", PostgresBackendOptions.DEFAULT_PURGE_INTERVAL))
                .purgeBatchSize(query.getInt("purgeBatchSize", PostgresBackendOptions.DEFAULT_PURGE_BATCH_SIZE))
                .poolSize(query.getInt("poolSize", PostgresBackendOptions.DEFAULT_POOL_SIZE))
                .maxValueBytes(query.getInt("maxValueBytes", PostgresBackend.MAX_VALUE_BYTES));
        String sslmode = query.get("sslmode");
        if (sslmode != null) {
            builder.connectionProperty("sslmode", sslmode);
        }
        return builder.build();
    }

    /** Percent-decoding that keeps '+' as it is: in user info it is a plus sign, not a space. */
    private static String percentDecode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
