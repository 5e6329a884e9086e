package io.cachekit.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where the tests find PostgreSQL: {@code 127.0.0.1:5433}, database {@code cachekit}, user {@code postgres}
 * without a password, as {@code scripts/servers/postgres.sh start} runs it. System properties {@code
 * cachekit.postgres.host}, {@code .port}, {@code .database}, {@code .user} and {@code .password} override
 * each. A server that does not answer fails the tests; it never skips them.
 */
final class TestDatabase {
    static final String HOST = System.getProperty("cachekit.postgres.host", "127.0.0.1");
    static final int PORT = Integer.getInteger("cachekit.postgres.port", 5433);
    static final String DATABASE = System.getProperty("cachekit.postgres.database", "cachekit");
    static final String USER = System.getProperty("cachekit.postgres.user", "postgres");
    static final String PASSWORD = System.getProperty("cachekit.postgres.password", "");

    private TestDatabase() {}

    static String jdbcUrl() {
        return jdbcUrl(PORT);
    }

    static String jdbcUrl(int port) {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + DATABASE;
    }

    /** Options for the shared test server, writing to {@code table}, with no scheduled purge. */
    static PostgresBackendOptions.Builder options(String table) {
        return options(PORT, table);
    }

    static PostgresBackendOptions.Builder options(int port, String table) {
        return PostgresBackendOptions.builder()
                .jdbcUrl(jdbcUrl(port))
                .credentials(USER, PASSWORD.isEmpty() ? null : PASSWORD)
                .table(table)
                .purgeInterval(Duration.ZERO)
                .poolSize(4);
    }

    /** A plain connection for setting up and inspecting the table, outside the backend. */
    static Connection connect() throws SQLException {
        return connect(PORT);
    }

    static Connection connect(int port) throws SQLException {
        try {
            return DriverManager.getConnection(jdbcUrl(port), USER, PASSWORD);
        } catch (SQLException e) {
            throw new SQLException(
                    "PostgreSQL does not answer at " + jdbcUrl(port) + " as " + USER
                            + "; start it with scripts/servers/postgres.sh start",
                    e.getSQLState(),
                    e);
        }
    }

    /** A bounded executor like Cachekit's own, for backend contexts. */
    static ExecutorService boundedExecutor() {
        return new ThreadPoolExecutor(4, 4, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(1000));
    }

    /** Drops a test table so each run starts from a fresh one. */
    static void dropTable(String table) throws SQLException {
        try (Connection c = connect();
                var s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS public." + table);
        }
    }
}
