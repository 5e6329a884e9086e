package io.cachekit.postgres.internal;

import io.cachekit.CacheBackendException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * Runs one operation of the backend on a borrowed connection, within the operation timeout: the deadline, the
 * socket read timeout that bounds a server that stops answering, the statements' client-side timeouts where
 * the server does not enforce one, and the translation of failures. Thread-safe.
 */
public final class OperationRunner {
    /**
     * How much of the operation timeout borrowing a connection may use before a statement also gets a
     * client-side timeout for what is left, on top of the session's {@code statement_timeout}.
     */
    private static final long SERVER_TIMEOUT_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final DataSource dataSource;
    private final Duration operationTimeout;
    private final long operationTimeoutNanos;
    /** Whether the server enforces the operation timeout as each session's {@code statement_timeout}. */
    private final boolean serverTimeout;
    /** Whether every connection rests at a socket read timeout that bounds an operation ({@link OwnedPool}). */
    private final boolean restingSocketTimeout;

    private final BooleanSupplier closed;

    /**
     * @param sessions what the pool's sessions enforce themselves ({@link OwnedPool#check}); neither for a
     *     supplied data source
     * @param closed whether the backend is closed: operations then fail at once, and failures say so
     */
    public OperationRunner(
            DataSource dataSource, Duration operationTimeout, OwnedPool.Sessions sessions, BooleanSupplier closed) {
        this.dataSource = dataSource;
        this.operationTimeout = operationTimeout;
        this.operationTimeoutNanos = operationTimeout.toNanos();
        this.serverTimeout = sessions.statementTimeout();
        this.restingSocketTimeout = sessions.socketTimeout();
        this.closed = closed;
    }

    /** Work on a borrowed connection, before the operation's deadline (in System.nanoTime terms). */
    @FunctionalInterface
    public interface SqlWork<T> {
        /** Does the operation's work on {@code connection}, which the runner closes afterwards. */
        T run(Connection connection, long deadline) throws SQLException;
    }

    /**
     * Runs {@code work} on a connection borrowed for it.
     *
     * @throws io.cachekit.CacheTimeoutException when the operation timeout passes
     * @throws CacheBackendException when the backend is closed, or on any other database failure
     */
    public <T> T run(String operation, SqlWork<T> work) {
        ensureOpen(operation);
        long start = System.nanoTime();
        long deadline = start + operationTimeoutNanos;
        try (Connection connection = dataSource.getConnection()) {
            // A server that stops answering (paused, a dead host) cannot enforce statement_timeout: a socket
            // read timeout bounds the wait, a little after the statement timeout would have fired, and the
            // broken connection leaves the pool, so the slot is free again. The owned pool's connections rest
            // at one (OwnedPool); an operation sets its own only when that one could end past its deadline:
            // it waited for its connection, or the connections come from a supplied data source.
            if (!restingSocketTimeout || System.nanoTime() - start > SERVER_TIMEOUT_SLACK_NANOS) {
                connection.setNetworkTimeout(Runnable::run, networkTimeoutMillis(deadline, operation));
            }
            return work.run(connection, deadline);
        } catch (SQLException e) {
            if (closed.getAsBoolean()) {
                throw new CacheBackendException("postgres " + operation + ": the backend is closed", e);
            }
            throw SqlErrors.translate("postgres " + operation, e, operationTimeout);
        }
    }

    /**
     * Prepares a statement of an operation. With the server enforcing the timeout, the statement gets no
     * client-side timeout (pgjdbc's costs a timer task per execution) unless borrowing the connection used
     * more than {@link #SERVER_TIMEOUT_SLACK_NANOS} of the operation's time; then it gets what is left, as
     * with a supplied data source.
     */
    public PreparedStatement prepare(Connection connection, String statement, long deadline, String operation)
            throws SQLException {
        long remainingNanos = deadline - System.nanoTime();
        boolean serverBound = serverTimeout && remainingNanos >= operationTimeoutNanos - SERVER_TIMEOUT_SLACK_NANOS;
        // Past the slack (or with no server-side timeout), fails with a timeout when no time is left.
        long remaining = serverBound ? 0 : Statements.remainingMillis(deadline, operation, operationTimeout);
        PreparedStatement ps = connection.prepareStatement(statement);
        if (serverBound) {
            return ps;
        }
        try {
            Statements.timeout(ps, remaining);
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
        return ps;
    }

    /** Fails with a {@link CacheBackendException} when the backend is closed. */
    public void ensureOpen(String operation) {
        if (closed.getAsBoolean()) {
            throw new CacheBackendException("postgres " + operation + ": the backend is closed");
        }
    }

    /** The socket read timeout of an operation: what is left of its time, plus a grace for the server's own. */
    private int networkTimeoutMillis(long deadline, String operation) {
        long millis = Statements.remainingMillis(deadline, operation, operationTimeout)
                + OwnedPool.NETWORK_TIMEOUT_GRACE_MILLIS;
        return (int) Math.min(Integer.MAX_VALUE, millis);
    }
}
