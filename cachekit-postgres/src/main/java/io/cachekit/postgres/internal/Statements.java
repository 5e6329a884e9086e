package io.cachekit.postgres.internal;

import io.cachekit.CacheTimeoutException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.postgresql.jdbc.PgStatement;

/** Small JDBC helpers shared by the backend and the table setup. Stateless. */
public final class Statements {
    private Statements() {}

    /**
     * Sets the statement's timeout in milliseconds where the driver allows it (pgjdbc, also behind a pool's
     * proxy), else in whole seconds rounded up. When it fires, the driver cancels the statement on the server
     * and the statement fails with SQLState {@code 57014}.
     */
    public static void timeout(Statement statement, long millis) throws SQLException {
        long ms = Math.max(1, millis);
        if (statement.isWrapperFor(PgStatement.class)) {
            statement.unwrap(PgStatement.class).setQueryTimeoutMs(ms);
        } else {
            statement.setQueryTimeout((int) Math.min(Integer.MAX_VALUE, (ms + 999) / 1000));
        }
    }

    /**
     * Sets {@code statement_timeout} to {@code millis} until the current transaction ends (as {@code SET
     * LOCAL} does), so that maintenance statements get their own, longer limit whatever the session's default
     * is. Call it with auto-commit off, before the statements it should cover.
     */
    public static void localStatementTimeout(Connection connection, long millis) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT set_config('statement_timeout', ?, true)")) {
            timeout(ps, millis);
            ps.setString(1, Long.toString(Math.max(1, millis)));
            ps.execute();
        }
    }

    /**
     * Ends a failed transaction: rolls back and restores the connection's auto-commit mode, recording a
     * failure of either on {@code failure} rather than letting it hide the first error.
     */
    public static void rollbackAfter(Connection connection, Throwable failure, boolean autoCommit) {
        try {
            connection.rollback();
            connection.setAutoCommit(autoCommit);
        } catch (SQLException cleanupFailure) {
            failure.addSuppressed(cleanupFailure);
        }
    }

    /**
     * Milliseconds left before {@code deadline} ({@link System#nanoTime()}), rounded up.
     *
     * @throws CacheTimeoutException naming {@code operation} and {@code timeout} when none are left
     */
    public static long remainingMillis(long deadline, String operation, Duration timeout) {
        long remainingNanos = deadline - System.nanoTime();
        if (remainingNanos <= 0) {
            throw new CacheTimeoutException("postgres " + operation + " did not finish within " + timeout
                    + " (no time left for the statement)");
        }
        return (remainingNanos + 999_999) / 1_000_000;
    }

    /**
     * Lets a maintenance transaction (setup, purge) on a connection of the owned pool read for its longer time,
     * {@code remainingMillis} plus the pool's grace; the pool puts the connection's own socket timeout back when
     * it is returned.
     */
    public static void maintenanceSocketTimeout(Connection connection, long remainingMillis) throws SQLException {
        long millis = remainingMillis + OwnedPool.NETWORK_TIMEOUT_GRACE_MILLIS;
        connection.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, millis));
    }
}
