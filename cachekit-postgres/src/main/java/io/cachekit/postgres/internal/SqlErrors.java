package io.cachekit.postgres.internal;

import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.StoreUnreachableException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;

/**
 * The one place where driver and pool errors become Cachekit exceptions.
 *
 * <ul>
 *   <li>SQLState {@code 57014} (query_canceled: the statement timeout fired) and a socket read timeout
 *       become {@link CacheTimeoutException};
 *   <li>the pool giving up waiting for a connection becomes {@link CacheTimeoutException} when the database
 *       answers but every connection is busy, and {@link CacheBackendException} when the database cannot be
 *       reached ({@link StoreUnreachableException});
 *   <li>connection errors (class {@code 08}, server shutdown {@code 57P01}-{@code 57P03}) become {@link
 *       StoreUnreachableException}, everything else {@link CacheBackendException}.
 * </ul>
 *
 * <p>Messages name the backend, the operation and the SQLState; they never contain credentials (the driver
 * does not put passwords in its messages, and the target is always given in its redacted form).
 */
public final class SqlErrors {
    /** SQLState of a statement cancelled by its timeout. */
    public static final String QUERY_CANCELED = "57014";

    private SqlErrors() {}

    /**
     * Translates {@code e}, met while running {@code operation}.
     *
     * @param operation for example {@code "postgres get"}
     * @param timeout the timeout the operation ran under, for the message
     */
    public static CacheBackendException translate(String operation, SQLException e, Duration timeout) {
        String state = firstSqlState(e);
        if (QUERY_CANCELED.equals(state)) {
            return new CacheTimeoutException(
                    operation + " did not finish within " + timeout + " (statement cancelled)", e);
        }
        if (causedBy(e, SocketTimeoutException.class)) {
            return new CacheTimeoutException(
                    operation + " did not finish within " + timeout + " (socket read timed out)", e);
        }
        if (e instanceof SQLTransientConnectionException && !isConnectionFailure(e.getCause())) {
            // The pool's own timeout with a reachable database: every connection stayed busy.
            return new CacheTimeoutException(
                    operation + " got no pooled connection within " + timeout + ": " + e.getMessage(), e);
        }
        if (isConnectionFailure(e)) {
            return new StoreUnreachableException(
                    operation + " failed: cannot reach PostgreSQL (" + describe(deepest(e)) + ")", e);
        }
        return new CacheBackendException(operation + " failed: " + describe(e), e);
    }

    /** Whether {@code t} or one of its causes is a socket or connect timeout. */
    public static boolean isTimeout(Throwable t) {
        return causedBy(t, SocketTimeoutException.class);
    }

    /** Whether {@code t} or one of its causes says the connection failed or was lost. */
    public static boolean isConnectionFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null
                        && (state.startsWith("08")
                                || state.equals("57P01")
                                || state.equals("57P02")
                                || state.equals("57P03"))) {
                    return true;
                }
            }
            if (c instanceof ConnectException
                    || c instanceof NoRouteToHostException
                    || c instanceof UnknownHostException
                    || (c instanceof SocketException && !(c instanceof SocketTimeoutException))) {
                return true;
            }
        }
        return false;
    }

    private static String firstSqlState(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static Throwable deepest(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c && c.getCause() instanceof SQLException) {
            c = c.getCause();
        }
        return c;
    }

    private static String describe(Throwable t) {
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof SQLException sql && sql.getSQLState() != null) {
            return message + " [SQLState " + sql.getSQLState() + "]";
        }
        return message;
    }
}
