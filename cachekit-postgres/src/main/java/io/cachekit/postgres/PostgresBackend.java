package io.cachekit.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.CacheValueTooLargeException;
import io.cachekit.postgres.internal.ExpiredRowPurge;
import io.cachekit.postgres.internal.OperationRunner;
import io.cachekit.postgres.internal.OwnedPool;
import io.cachekit.postgres.internal.SqlErrors;
import io.cachekit.postgres.internal.Statements;
import io.cachekit.postgres.internal.TableSetup;
import io.cachekit.postgres.internal.TableSql;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.BlockingCacheBackend;
import io.cachekit.spi.StoredKeys;
import io.cachekit.spi.Ttls;
import java.nio.ByteBuffer;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link io.cachekit.spi.CacheBackend} on one PostgreSQL table, through pgjdbc and a HikariCP pool (or the
 * application's own {@link DataSource}).
 *
 * <h2>Storage</h2>
 *
 * One row per entry: {@code (namespace text, key bytea, value bytea, expires_at timestamptz)}, primary key
 * {@code (namespace, key)} and an index on {@code expires_at}; the table is created when absent (see {@link
 * PostgresBackendOptions}). Writes are upserts ({@code INSERT ... ON CONFLICT DO UPDATE}) that replace the
 * value and its expiry. Keys are stored as bytes: UTF-8 for ordinary strings, so that keys with NUL or
 * unpaired surrogates are held exactly, and keys longer than 1024 encoded bytes as a SHA-256 digest.
 *
 * <h2>Expiry</h2>
 *
 * The database's clock decides: a write stores {@code now() + ttl}, and every read filters on {@code
 * expires_at IS NULL OR expires_at > now()}, so an expired row is never returned. Expired rows are deleted by
 * a bounded purge ({@link #purgeExpired()}) that a single daemon thread of this backend runs every {@link
 * PostgresBackendOptions#purgeInterval()}; a transaction-level advisory lock lets one instance purge a table
 * at a time, however many applications share it. TTLs of 100 years or more are stored as never expiring.
 *
 * <h2>Errors and timeouts</h2>
 *
 * Every statement runs under the context's operation timeout. With the owned pool the server enforces it:
 * the sessions are opened with {@code statement_timeout} set to the timeout (the pgjdbc {@code options}
 * property), and the pool waits at most that long for a connection; a statement that waited longer than
 * 1 ms for its connection also gets a client-side query timeout for what is left. With a supplied data
 * source (or sessions that did not take the setting) every statement gets what is left of the timeout
 * after the borrow as its pgjdbc query timeout. Table setup and purge raise {@code statement_timeout} for
 * their own transactions to the larger of the timeout and 10 s. When a timeout fires the server
 * cancels the statement and the operation fails with {@link CacheTimeoutException}. A server that stops
 * answering (paused, a dead host) cannot cancel anything: a socket read timeout ends the wait and drops the
 * connection from the pool. The owned pool's connections rest at one of the timeout plus 250 ms, rounded up
 * to whole seconds (pgjdbc's {@code socketTimeout}; {@link OwnedPool}), which setup and purge raise for their
 * transactions; an operation that waited longer than 1 ms for its connection, or runs on a supplied data
 * source (or on sessions whose socket timeout an own property replaced), sets its own: what is left of the
 * timeout plus 250 ms. Either way it fails with {@link CacheTimeoutException}. Connection failures and
 * any other database error fail with {@link CacheBackendException}; messages never contain credentials. A
 * value over PostgreSQL's 1 GB {@code bytea} limit fails before anything is sent.
 *
 * <h2>Threads</h2>
 *
 * Thread-safe. The sync methods block the caller; the async ones run them on the context's bounded executor.
 * {@link #close()} stops the purge thread and closes the owned pool (never a supplied data source); further
 * operations fail with {@link CacheBackendException}. Null namespaces, keys, values or entry maps throw
 * {@link NullPointerException}.
 */
public final class PostgresBackend extends BlockingCacheBackend {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresBackend.class);

    /** PostgreSQL's largest {@code bytea} value, 1 GB; larger values fail before they are sent. */
    public static final int MAX_VALUE_BYTES = (1 << 30) - 1;

    /** Encoded keys up to this length are stored as they are, longer ones as a digest. */
    static final int MAX_PLAIN_KEY_BYTES = 1024;

    /** TTLs from this length on are stored as never expiring, far from timestamptz's range limits. */
    static final Duration LONGEST_TTL = Duration.ofDays(36_500);

    /** Purge and table setup are maintenance, not requests: they may take longer than one operation. */
    private static final Duration MIN_MAINTENANCE_TIMEOUT = Duration.ofSeconds(10);

    private final PostgresBackendOptions options;
    private final TableSql sql;
    private final DataSource dataSource;
    private final HikariDataSource ownedPool;
    private final ExpiredRowPurge purge;
    private final Duration maintenanceTimeout;
    private final OperationRunner operations;

    private final AtomicBoolean closed = new AtomicBoolean();

    private PostgresBackend(
            PostgresBackendOptions options,
            BackendContext context,
            DataSource dataSource,
            HikariDataSource owned,
            OwnedPool.Sessions sessions) {
        super(context);
        this.options = options;
        this.sql = new TableSql(options.schema(), options.table());
        this.dataSource = dataSource;
        this.ownedPool = owned;
        this.operations = new OperationRunner(dataSource, context.operationTimeout(), sessions, closed::get);
        this.maintenanceTimeout = max(context.operationTimeout(), MIN_MAINTENANCE_TIMEOUT);
        this.purge = new ExpiredRowPurge(
                dataSource,
                owned != null,
                sql,
                options.purgeBatchSize(),
                options.purgeInterval(),
                maintenanceTimeout,
                closed::get);
    }

    /**
     * Connects, creates or checks the table, and starts the purge thread.
     *
     * @throws CacheBackendException when the database cannot be reached, or the table is missing (and may
     *     not be created) or has another layout; the message names the target without credentials
     * @throws NullPointerException when an argument is null
     */
    public static PostgresBackend create(PostgresBackendOptions options, BackendContext context) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(context, "context");
        HikariDataSource owned =
                options.dataSource() == null ? OwnedPool.open(options, context.operationTimeout()) : null;
        DataSource dataSource = owned != null ? owned : options.dataSource();
        OwnedPool.Sessions sessions = new OwnedPool.Sessions(false, false);
        if (owned != null) {
            try {
                sessions = OwnedPool.check(owned, context.operationTimeout());
            } catch (SQLException e) {
                owned.close();
                throw SqlErrors.translate("postgres setup at " + options.target(), e, context.operationTimeout());
            } catch (RuntimeException e) {
                owned.close();
                throw e;
            }
            if (!sessions.statementTimeout()) {
                LOG.warn(
                        "The sessions of {} do not run with the statement_timeout Cachekit asked for (an options"
                                + " parameter in the JDBC URL, or a connection pooler, may override it);"
                                + " falling back to client-side query timeouts",
                        options.target());
            }
        }
        PostgresBackend backend = new PostgresBackend(options, context, dataSource, owned, sessions);
        try {
            backend.setUpTable();
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        backend.purge.start();
        return backend;
    }

    private void setUpTable() {
        long start = System.nanoTime();
        try (Connection connection = dataSource.getConnection()) {
            if (ownedPool != null) {
                Statements.maintenanceSocketTimeout(
                        connection,
                        Statements.remainingMillis(start + maintenanceTimeout.toNanos(), "setup", maintenanceTimeout));
            }
            TableSetup.ensureTable(
                    connection,
                    sql,
                    options.createTable(),
                    options.unlogged(),
                    Statements.remainingMillis(start + maintenanceTimeout.toNanos(), "setup", maintenanceTimeout));
        } catch (SQLException e) {
            throw SqlErrors.translate(
                    "postgres setup of " + sql.qualifiedName + " at " + options.target(), e, maintenanceTimeout);
        }
    }

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public byte[] get(String namespace, String key) {
        Objects.requireNonNull(namespace, "namespace");
        byte[] storedKey = storedKey(key);
        return operations.run("get", (connection, deadline) -> {
            try (PreparedStatement ps = operations.prepare(connection, sql.get, deadline, "get")) {
                ps.setString(1, namespace);
                ps.setBytes(2, storedKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : null;
                }
            }
        });
    }

    @Override
    public void set(String namespace, String key, byte[] value, Duration ttl) {
        Objects.requireNonNull(namespace, "namespace");
        byte[] storedKey = storedKey(key);
        checkValue(value);
        Long ttlMicros = ttlMicros(ttl);
        operations.run("set", (connection, deadline) -> {
            String statement = ttlMicros == null ? sql.upsertWithoutExpiry : sql.upsertWithExpiry;
            try (PreparedStatement ps = operations.prepare(connection, statement, deadline, "set")) {
                bindUpsert(ps, namespace, storedKey, value, ttlMicros);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** One conditional upsert (it replaces an expired row only); when it does not write, the live row is read. */
    @Override
    public byte[] setIfAbsent(String namespace, String key, byte[] value, Duration ttl) {
        Objects.requireNonNull(namespace, "namespace");
        byte[] storedKey = storedKey(key);
        checkValue(value);
        Long ttlMicros = ttlMicros(ttl);
        String statement = ttlMicros == null ? sql.insertIfAbsentWithoutExpiry : sql.insertIfAbsentWithExpiry;
        for (int attempt = 0; ; attempt++) {
            boolean written = operations.run("setIfAbsent", (connection, deadline) -> {
                try (PreparedStatement ps = operations.prepare(connection, statement, deadline, "setIfAbsent")) {
                    bindUpsert(ps, namespace, storedKey, value, ttlMicros);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next();
                    }
                }
            });
            if (written) {
                return null;
            }
            byte[] existing = get(namespace, key);
            if (existing != null) {
                return existing;
            }
            if (attempt >= 2) {
                // Null would say "written": the row kept expiring between the two statements, so say so.
                throw new CacheBackendException(
                        "postgres setIfAbsent: the entry changed under each of 3 attempts; nothing was written");
            }
        }
    }

    @Override
    public void delete(String namespace, String key) {
        Objects.requireNonNull(namespace, "namespace");
        byte[] storedKey = storedKey(key);
        operations.run("delete", (connection, deadline) -> {
            try (PreparedStatement ps = operations.prepare(connection, sql.delete, deadline, "delete")) {
                ps.setString(1, namespace);
                ps.setBytes(2, storedKey);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void clear(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        operations.run("clear", (connection, deadline) -> {
            try (PreparedStatement ps = operations.prepare(connection, sql.clear, deadline, "clear")) {
                ps.setString(1, namespace);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** One statement: {@code key = ANY(?)} over the stored forms of the keys. */
    @Override
    public Map<String, byte[]> getMany(String namespace, Collection<String> keys) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(keys, "keys");
        Map<ByteBuffer, String> byStoredKey = new HashMap<>();
        for (String key : keys) {
            byStoredKey.put(ByteBuffer.wrap(storedKey(key)), key);
        }
        if (byStoredKey.isEmpty()) {
            operations.ensureOpen("getMany");
            return new HashMap<>();
        }
        byte[][] storedKeys = new byte[byStoredKey.size()][];
        int i = 0;
        for (ByteBuffer storedKey : byStoredKey.keySet()) {
            storedKeys[i++] = storedKey.array();
        }
        return operations.run("getMany", (connection, deadline) -> {
            Map<String, byte[]> found = new HashMap<>();
            try (PreparedStatement ps = operations.prepare(connection, sql.getMany, deadline, "getMany")) {
                Array array = connection.createArrayOf("bytea", storedKeys);
                try {
                    ps.setString(1, namespace);
                    ps.setArray(2, array);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            String key = byStoredKey.get(ByteBuffer.wrap(rs.getBytes(1)));
                            if (key != null) {
                                found.put(key, rs.getBytes(2));
                            }
                        }
                    }
                } finally {
                    array.free();
                }
            }
            return found;
        });
    }

    /** One transaction, one JDBC batch; rows are written in key order so concurrent batches cannot deadlock. */
    @Override
    public void setMany(String namespace, Map<String, byte[]> entries, Duration ttl) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(entries, "entries");
        Long ttlMicros = ttlMicros(ttl);
        List<byte[][]> rows = new ArrayList<>(entries.size());
        entries.forEach((key, value) -> {
            checkValue(value);
            rows.add(new byte[][] {storedKey(key), value});
        });
        if (rows.isEmpty()) {
            operations.ensureOpen("setMany");
            return;
        }
        rows.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
        operations.run("setMany", (connection, deadline) -> {
            String statement = ttlMicros == null ? sql.upsertWithoutExpiry : sql.upsertWithExpiry;
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (PreparedStatement ps = operations.prepare(connection, statement, deadline, "setMany")) {
                for (byte[][] row : rows) {
                    bindUpsert(ps, namespace, row[0], row[1], ttlMicros);
                    ps.addBatch();
                }
                ps.executeBatch();
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                Statements.rollbackAfter(connection, e, autoCommit);
                throw e;
            }
            connection.setAutoCommit(autoCommit);
            return null;
        });
    }

    /**
     * Deletes expired rows now, in batches of {@link PostgresBackendOptions#purgeBatchSize()} rows, each in a
     * short transaction that first takes this table's purge lock ({@code pg_try_advisory_xact_lock}); stops
     * after a batch that was not full, or after 100 batches. The purge thread calls this on schedule;
     * applications that turned the schedule off may call it themselves.
     *
     * @return the number of rows deleted, or empty when another instance held the purge lock at the first
     *     batch, so that this call deleted nothing
     * @throws CacheBackendException or {@link CacheTimeoutException} as the other operations
     */
    public OptionalLong purgeExpired() {
        return purge.run();
    }

    /**
     * Returns the data source in use (the owned {@link HikariDataSource}, or the supplied one) when asked for
     * a type it is an instance of, such as {@link DataSource}.
     *
     * @throws IllegalArgumentException if neither this backend nor its data source is of that type
     */
    @Override
    public <T> T unwrap(Class<T> type) {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        if (type.isInstance(dataSource)) {
            return type.cast(dataSource);
        }
        throw new IllegalArgumentException(name() + " backend cannot be unwrapped to " + type.getName());
    }

    /** The options this backend was created with. */
    public PostgresBackendOptions options() {
        return options;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        purge.stop();
        if (ownedPool != null) {
            ownedPool.close();
        }
    }

    @Override
    public String toString() {
        return "PostgresBackend{" + options.target() + ", table=" + sql.qualifiedName + "}";
    }

    // --- helpers ---------------------------------------------------------------------------------------

    private static void bindUpsert(
            PreparedStatement ps, String namespace, byte[] storedKey, byte[] value, Long ttlMicros)
            throws SQLException {
        ps.setString(1, namespace);
        ps.setBytes(2, storedKey);
        ps.setBytes(3, value);
        if (ttlMicros != null) {
            ps.setLong(4, ttlMicros);
        }
    }

    /**
     * The key column's bytes: lossless, and a digest past {@link #MAX_PLAIN_KEY_BYTES} because a B-tree
     * index entry must fit in about a third of a page (some 2.7 kB).
     */
    private static byte[] storedKey(String key) {
        return StoredKeys.bytesOrDigest(Objects.requireNonNull(key, "key"), MAX_PLAIN_KEY_BYTES);
    }

    /** The TTL in microseconds, rounded up, or null for no expiry. */
    private static Long ttlMicros(Duration ttl) {
        return Ttls.isNever(ttl, LONGEST_TTL) ? null : Ttls.microsRoundedUp(ttl);
    }

    private void checkValue(byte[] value) {
        Objects.requireNonNull(value, "value");
        if (value.length > options.maxValueBytes()) {
            throw new CacheValueTooLargeException("postgres: value of " + value.length
                    + " bytes is over maxValueBytes " + options.maxValueBytes()
                    + (options.maxValueBytes() == MAX_VALUE_BYTES ? " (PostgreSQL's bytea limit)" : ""));
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
