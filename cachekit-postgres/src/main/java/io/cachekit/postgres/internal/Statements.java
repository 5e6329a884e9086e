package io.cachekit.postgres.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
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

    /** Rolls back after {@code failure}, recording a failed rollback on it rather than hiding it. */
    public static void rollbackQuietly(Connection connection, Throwable failure) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            failure.addSuppressed(rollbackFailure);
        }
    }
}
