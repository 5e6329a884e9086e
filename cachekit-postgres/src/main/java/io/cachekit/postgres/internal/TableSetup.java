package io.cachekit.postgres.internal;

import io.cachekit.CacheBackendException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the table when absent and checks that an existing one has the layout the backend needs, so a
 * wrong table fails at start with a clear message rather than at the first write.
 *
 * <p>The check and the creation run in one transaction, creation under an advisory lock, so application instances that start together
 * do not race on {@code CREATE TABLE IF NOT EXISTS} (which can fail on a concurrent duplicate).
 */
public final class TableSetup {
    private static final Logger LOG = LoggerFactory.getLogger(TableSetup.class);

    private static final String FIND_TABLE = "SELECT c.relpersistence FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')";
    private static final String FIND_COLUMNS = "SELECT a.attname, format_type(a.atttypid, a.atttypmod)"
            + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped";
    private static final Map<String, String> EXPECTED_COLUMNS = expectedColumns();

    private TableSetup() {}

    /**
     * Ensures the table exists and has the expected columns, in one transaction whose {@code
     * statement_timeout} is {@code timeoutMillis} (so a shorter session default does not cut it).
     *
     * @param timeoutMillis the statement timeout of each statement
     * @throws SQLException on a database error
     * @throws CacheBackendException when the table is missing and may not be created, or has another layout
     */
    public static void ensureTable(
            Connection connection, TableSql sql, boolean create, boolean unlogged, long timeoutMillis)
            throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        boolean created = false;
        try {
            Statements.localStatementTimeout(connection, timeoutMillis);
            Character persistence = persistence(connection, sql, timeoutMillis);
            if (persistence == null) {
                if (!create) {
                    throw new CacheBackendException("Table " + sql.qualifiedName
                            + " does not exist and createTable is false; create it as docs/backends/postgres.md"
                            + " shows");
                }
                create(connection, sql, unlogged, timeoutMillis);
                created = true;
            } else if (unlogged && persistence != 'u') {
                LOG.warn(
                        "Table {} exists and is not UNLOGGED; the unlogged option applies only when Cachekit"
                                + " creates the table",
                        sql.qualifiedName);
            }
            checkColumns(connection, sql, timeoutMillis);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            Statements.rollbackAfter(connection, e, autoCommit);
            throw e;
        }
        connection.setAutoCommit(autoCommit);
        if (created) {
            LOG.info("Created {}table {}", unlogged ? "UNLOGGED " : "", sql.qualifiedName);
        }
    }

    private static Character persistence(Connection connection, TableSql sql, long timeoutMillis) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(FIND_TABLE)) {
            Statements.timeout(ps, timeoutMillis);
            ps.setString(1, sql.schema);
            ps.setString(2, sql.table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String p = rs.getString(1);
                return p == null || p.isEmpty() ? 'p' : p.charAt(0);
            }
        }
    }

    /** Creates the table under the DDL advisory lock, which the caller's transaction holds until it ends. */
    private static void create(Connection connection, TableSql sql, boolean unlogged, long timeoutMillis)
            throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(sql.ddlLock)) {
            Statements.timeout(lock, timeoutMillis);
            lock.setLong(1, sql.ddlLockKey);
            lock.execute();
        }
        try (Statement ddl = connection.createStatement()) {
            Statements.timeout(ddl, timeoutMillis);
            ddl.execute(unlogged ? sql.createUnloggedTable : sql.createTable);
            ddl.execute(sql.createExpiryIndex);
        }
    }

    private static void checkColumns(Connection connection, TableSql sql, long timeoutMillis) throws SQLException {
        Map<String, String> actual = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(FIND_COLUMNS)) {
            Statements.timeout(ps, timeoutMillis);
            ps.setString(1, sql.schema);
            ps.setString(2, sql.table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    actual.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        for (Map.Entry<String, String> column : EXPECTED_COLUMNS.entrySet()) {
            if (!column.getValue().equals(actual.get(column.getKey()))) {
                throw new CacheBackendException("Table " + sql.qualifiedName + " has columns " + actual
                        + ", but Cachekit needs " + EXPECTED_COLUMNS
                        + " (see docs/backends/postgres.md); use another table or drop this one");
            }
        }
    }

    private static Map<String, String> expectedColumns() {
        Map<String, String> columns = new LinkedHashMap<>();
        columns.put("namespace", "text");
        columns.put("key", "bytea");
        columns.put("value", "bytea");
        columns.put("expires_at", "timestamp with time zone");
        return columns;
    }
}
