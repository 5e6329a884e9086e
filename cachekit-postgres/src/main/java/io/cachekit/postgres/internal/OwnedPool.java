package io.cachekit.postgres.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cachekit.CacheBackendException;
import io.cachekit.StoreUnreachableException;
import io.cachekit.postgres.PostgresBackendOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * The HikariCP pool a backend owns when the application supplies no {@link DataSource}: its settings, and the
 * check at start that its sessions got the two timeouts Cachekit relies on.
 *
 * <ul>
 *   <li>{@code statement_timeout}, set in the startup packet (pgjdbc's {@code options} property) to the
 *       operation timeout: the server cancels a statement that runs too long, with no extra round trip and
 *       no client-side timer task per statement.
 *   <li>A socket read timeout (pgjdbc's {@code socketTimeout}, whole seconds) of the operation timeout plus
 *       {@link #NETWORK_TIMEOUT_GRACE_MILLIS}, rounded up: a server that stops answering (paused, a dead host)
 *       cannot enforce {@code statement_timeout}, so this bounds the wait, a little after the statement
 *       timeout would have fired, and the broken connection leaves the pool. Every connection rests at it,
 *       so an operation sets nothing per call.
 * </ul>
 *
 * Stateless apart from a counter that names the pools.
 */
public final class OwnedPool {
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /** How much longer than the statement timeout a socket read may wait for a server that does not answer. */
    public static final long NETWORK_TIMEOUT_GRACE_MILLIS = 250;

    private OwnedPool() {}

    /** What {@link #check} found on a connection of the pool. */
    public record Sessions(boolean statementTimeout, boolean socketTimeout) {}

    /**
     * Opens the pool (and its first connection).
     *
     * @throws StoreUnreachableException when the server cannot be reached
     * @throws CacheBackendException when it refuses (credentials, a missing database)
     */
    public static HikariDataSource open(PostgresBackendOptions options, Duration operationTimeout) {
        long timeoutMillis = Math.max(250, operationTimeout.toMillis());
        HikariConfig config = new HikariConfig();
        config.setPoolName("cachekit-postgres-" + INSTANCES.incrementAndGet());
        config.setJdbcUrl(options.jdbcUrl());
        if (options.username() != null) {
            config.setUsername(options.username());
        }
        if (options.password() != null) {
            config.setPassword(options.password());
        }
        config.setMaximumPoolSize(options.poolSize());
        // Borrowing a connection counts against the operation timeout.
        config.setConnectionTimeout(timeoutMillis);
        config.setValidationTimeout(Math.min(timeoutMillis, 5_000));
        config.addDataSourceProperty("ApplicationName", "cachekit");
        config.addDataSourceProperty("connectTimeout", Long.toString(seconds(timeoutMillis)));
        config.addDataSourceProperty("socketTimeout", Long.toString(socketTimeoutSeconds(operationTimeout)));
        config.addDataSourceProperty("tcpKeepAlive", "true");
        options.connectionProperties().forEach(config::addDataSourceProperty);
        // Options of the application's own come first.
        String sessionOptions = "-c statement_timeout=" + statementTimeoutMillis(operationTimeout);
        String ownOptions = options.connectionProperties().get("options");
        config.addDataSourceProperty(
                "options",
                ownOptions == null || ownOptions.isBlank() ? sessionOptions : ownOptions + " " + sessionOptions);
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            // HikariPool.PoolInitializationException wraps the driver's first connection failure.
            Throwable cause = e.getCause() instanceof SQLException ? e.getCause() : e;
            String message = "postgres: cannot connect to " + options.target() + ": " + cause.getMessage();
            // Unreachable (refused, timed out, shutting down) lets the cache start without the database;
            // a refusal by the server itself (bad password, missing database) stays an error.
            throw SqlErrors.isConnectionFailure(cause) || SqlErrors.isTimeout(cause)
                    ? new StoreUnreachableException(message, cause)
                    : new CacheBackendException(message, cause);
        }
    }

    /**
     * Whether the pool's sessions got the {@code statement_timeout} asked for in their startup packet, and
     * whether their connections rest at a socket read timeout no longer than {@link #socketTimeoutSeconds}
     * (a {@code socketTimeout} connection property of the application's own may have replaced it).
     */
    public static Sessions check(DataSource pool, Duration operationTimeout) throws SQLException {
        try (Connection connection = pool.getConnection();
                PreparedStatement ps = connection.prepareStatement(
                        "SELECT setting FROM pg_settings WHERE name = 'statement_timeout'");
                ResultSet rs = ps.executeQuery()) {
            boolean statementTimeout = rs.next()
                    && Long.toString(statementTimeoutMillis(operationTimeout)).equals(rs.getString(1));
            int network = connection.getNetworkTimeout();
            boolean socketTimeout = network > 0 && network <= socketTimeoutSeconds(operationTimeout) * 1000;
            return new Sessions(statementTimeout, socketTimeout);
        }
    }

    /** The session {@code statement_timeout}: the operation timeout, in whole milliseconds rounded up. */
    public static long statementTimeoutMillis(Duration operationTimeout) {
        return Math.max(1, (operationTimeout.toNanos() + 999_999) / 1_000_000);
    }

    /** pgjdbc's {@code socketTimeout}: the operation timeout plus the grace, in whole seconds rounded up. */
    public static long socketTimeoutSeconds(Duration operationTimeout) {
        return seconds(statementTimeoutMillis(operationTimeout) + NETWORK_TIMEOUT_GRACE_MILLIS);
    }

    private static long seconds(long millis) {
        return Math.max(1, (millis + 999) / 1000);
    }
}
