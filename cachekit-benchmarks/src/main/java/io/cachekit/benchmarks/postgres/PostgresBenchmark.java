package io.cachekit.benchmarks.postgres;

import static io.cachekit.benchmarks.ReadWriteKeys.BATCH_KEYS;
import static io.cachekit.benchmarks.ReadWriteKeys.KEY_COUNT;
import static io.cachekit.benchmarks.ReadWriteKeys.TTL;
import static io.cachekit.benchmarks.ReadWriteKeys.expect;
import static io.cachekit.benchmarks.ReadWriteKeys.recordKey;
import static io.cachekit.benchmarks.ReadWriteKeys.stringKey;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.benchmarks.Payloads;
import io.cachekit.benchmarks.ReadWriteKeys;
import io.cachekit.benchmarks.UserRecord;
import io.cachekit.benchmarks.report.Goal;
import io.cachekit.benchmarks.report.ReportRow;
import io.cachekit.postgres.PostgresBackend;
import io.cachekit.postgres.PostgresBackendOptions;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cachekit's PostgreSQL backend against raw pgjdbc prepared statements doing the same work with the same bytes
 * on the same server.
 *
 * <p>The server is the one {@code scripts/servers/postgres.sh start} runs ({@code 127.0.0.1:5433}, database
 * {@code cachekit}, user {@code postgres}); the system properties {@code cachekit.postgres.host}, {@code .port},
 * {@code .database}, {@code .user} and {@code .password} point elsewhere. Each side has a table of its own
 * ({@code bench_cachekit}, {@code bench_raw}, the same layout: Cachekit creates both), dropped and created
 * again at the start of every fork, so that no row runs on the other side's dead tuples; and a HikariCP pool of
 * {@value #POOL_SIZE} connections whose sessions run with the same {@code statement_timeout} (5 s), the same
 * connection timeout and the same socket read timeout (6 s: what bounds a server that stops answering, which no
 * statement timeout can). The raw statements are those a careful application writes by hand: a SELECT that filters
 * expired rows on the database clock, an upsert that sets {@code expires_at = now() + ttl}, {@code key = ANY(?)}
 * for a batch of keys, and a batched upsert in one transaction (rows in key order) for a batch of writes. The
 * main value is the ~1 KB JSON record, encoded and decoded by Jackson on every raw call; a 100-character string
 * is the second. Setup checks that every measured read is a hit, and teardown fails the run if one was not.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 2, time = 1)
public class PostgresBenchmark {
    static final int POOL_SIZE = 4;
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final String CACHEKIT_TABLE = "bench_cachekit";
    static final String RAW_TABLE = "bench_raw";

    static final String HOST = System.getProperty("cachekit.postgres.host", "127.0.0.1");
    static final int PORT = Integer.getInteger("cachekit.postgres.port", 5433);
    static final String DATABASE = System.getProperty("cachekit.postgres.database", "cachekit");
    static final String USER = System.getProperty("cachekit.postgres.user", "postgres");
    static final String PASSWORD = System.getProperty("cachekit.postgres.password", "");

    static String jdbcUrl() {
        return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + DATABASE;
    }

    // ---------------------------------------------------------------- Cachekit rows

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` of the ~1 KB JSON record (PostgreSQL)",
            compareTo = "rawGet",
            goals = @Goal(atLeast = 0.95, source = "issue 17"),
            order = 10)
    public UserRecord cachekitGet(CachekitState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextRecordRead(), UserRecord.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.set` of the ~1 KB JSON record (PostgreSQL)",
            compareTo = "rawSet",
            goals = @Goal(atLeast = 0.95, source = "issue 17"),
            order = 11)
    public void cachekitSet(CachekitState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextRecordWrite(), Payloads.RECORD, TTL);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` of a 100-character string (PostgreSQL)",
            compareTo = "rawGetString",
            goals = @Goal(atLeast = 0.95, source = "issue 17"),
            threads = 1,
            order = 30)
    public String cachekitGetString(CachekitState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextStringRead(), String.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.set` of a 100-character string (PostgreSQL)",
            compareTo = "rawSetString",
            goals = @Goal(atLeast = 0.95, source = "issue 17"),
            threads = 1,
            order = 31)
    public void cachekitSetString(CachekitState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextStringWrite(), Payloads.STRING, TTL);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.getMany` of " + BATCH_KEYS + " records (PostgreSQL)",
            compareTo = "rawGetMany",
            goals = @Goal(atLeast = 0.95, source = "issue 17"),
            threads = 1,
            order = 40)
    public Map<String, UserRecord> cachekitGetMany(CachekitState state, ReadWriteKeys keys) {
        return state.checkBatch(state.cache.getMany(keys.nextReadBatch(), UserRecord.class));
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.setMany` of " + BATCH_KEYS + " records (PostgreSQL)",
            compareTo = "rawSetMany",
            goals = @Goal(atLeast = 0.95, source = "issue 17"),
            threads = 1,
            order = 41)
    public void cachekitSetMany(CachekitState state, ReadWriteKeys keys) {
        state.cache.setMany(keys.nextWriteBatch(), TTL);
    }

    // ---------------------------------------------------------------- raw rows

    @Benchmark
    @ReportRow(label = "Raw pgjdbc prepared SELECT + Jackson")
    public UserRecord rawGet(RawState state, ReadWriteKeys keys) throws SQLException {
        return state.checkHit(Payloads.decode(state.get(keys.nextRecordRead())));
    }

    @Benchmark
    @ReportRow(
            label = "Raw pgjdbc prepared SELECT + Jackson, the same code again (control)",
            compareTo = "rawGet",
            control = true,
            threads = 1,
            order = 900)
    public UserRecord rawGetControl(RawState state, ReadWriteKeys keys) throws SQLException {
        return rawGet(state, keys);
    }

    @Benchmark
    @ReportRow(label = "Raw pgjdbc prepared upsert + Jackson")
    public int rawSet(RawState state, ReadWriteKeys keys) throws SQLException {
        return state.set(keys.nextRecordWrite(), Payloads.encode(Payloads.RECORD));
    }

    @Benchmark
    @ReportRow(label = "Raw pgjdbc prepared SELECT of the string")
    public String rawGetString(RawState state, ReadWriteKeys keys) throws SQLException {
        return state.checkHit(Payloads.decodeString(state.get(keys.nextStringRead())));
    }

    @Benchmark
    @ReportRow(label = "Raw pgjdbc prepared upsert of the string")
    public int rawSetString(RawState state, ReadWriteKeys keys) throws SQLException {
        return state.set(keys.nextStringWrite(), Payloads.STRING.getBytes(StandardCharsets.UTF_8));
    }

    @Benchmark
    @ReportRow(label = "Raw pgjdbc `key = ANY(?)` of " + BATCH_KEYS + " keys + Jackson")
    public Map<String, UserRecord> rawGetMany(RawState state, ReadWriteKeys keys) throws SQLException {
        return state.checkBatch(state.getMany(keys.nextReadBatch()));
    }

    @Benchmark
    @ReportRow(label = "Raw pgjdbc batched upsert of " + BATCH_KEYS + " rows in one transaction + Jackson")
    public int[] rawSetMany(RawState state, ReadWriteKeys keys) throws SQLException {
        return state.setMany(keys.nextWriteBatch());
    }

    // ---------------------------------------------------------------- subjects

    /** Runs one statement on a connection of its own: table setup outside the measurement. */
    static void execute(String sql) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", USER);
        if (!PASSWORD.isEmpty()) {
            properties.setProperty("password", PASSWORD);
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl(), properties);
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Cachekit's options for a table: the same for both tables, so the raw one has Cachekit's layout. */
    static PostgresBackendOptions.Builder options(String table) {
        return PostgresBackendOptions.builder()
                .jdbcUrl(jdbcUrl())
                .credentials(USER, PASSWORD.isEmpty() ? null : PASSWORD)
                .table(table)
                .poolSize(POOL_SIZE);
    }

    /** Cachekit on its PostgreSQL backend, table {@code bench_cachekit}, with its own pool. */
    @State(Scope.Benchmark)
    public static class CachekitState {
        Cache cache;
        private long missesAfterSetup;
        private final LongAdder shortBatches = new LongAdder();

        @Setup(Level.Trial)
        public void setUp() throws SQLException {
            Payloads.checkSameBytes();
            execute("DROP TABLE IF EXISTS public." + CACHEKIT_TABLE);
            CachekitConfig config = CachekitConfig.builder()
                    .namespace("bench-cachekit")
                    .operationTimeout(TIMEOUT)
                    .build();
            PostgresBackend backend =
                    PostgresBackend.create(options(CACHEKIT_TABLE).build(), Cachekit.contextOf(config));
            cache = Cachekit.create(config, backend);
            missesAfterSetup = ReadWriteKeys.populate(cache);
        }

        Map<String, UserRecord> checkBatch(Map<String, UserRecord> found) {
            if (found.size() != BATCH_KEYS) {
                shortBatches.increment();
            }
            return found;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                ReadWriteKeys.expectNoMissOrError(cache, missesAfterSetup);
                if (shortBatches.sum() != 0) {
                    throw new IllegalStateException("A measured getMany missed keys");
                }
            } finally {
                cache.close();
            }
        }
    }

    /** pgjdbc through HikariCP on table {@code bench_raw}, namespace {@code bench-raw}. */
    @State(Scope.Benchmark)
    public static class RawState {
        private static final String NAMESPACE = "bench-raw";
        private static final String TABLE = "public." + RAW_TABLE;
        private static final String LIVE = "(expires_at IS NULL OR expires_at > now())";
        private static final String SELECT =
                "SELECT value FROM " + TABLE + " WHERE namespace = ? AND key = ? AND " + LIVE;
        private static final String SELECT_MANY =
                "SELECT key, value FROM " + TABLE + " WHERE namespace = ? AND key = ANY(?) AND " + LIVE;
        private static final String UPSERT = "INSERT INTO " + TABLE + " (namespace, key, value, expires_at)"
                + " VALUES (?, ?, ?, now() + ? * interval '1 microsecond')"
                + " ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at";

        private HikariDataSource pool;
        private final LongAdder missed = new LongAdder();

        @Setup(Level.Trial)
        public void setUp() throws SQLException {
            Payloads.checkSameBytes();
            execute("DROP TABLE IF EXISTS " + TABLE);
            // The same layout as Cachekit's table: let Cachekit create it, then leave it to the raw statements.
            PostgresBackend.create(
                            options(RAW_TABLE)
                                    .poolSize(1)
                                    .purgeInterval(Duration.ZERO)
                                    .build(),
                            Cachekit.contextOf(CachekitConfig.builder().build()))
                    .close();
            HikariConfig config = new HikariConfig();
            config.setPoolName("raw-pgjdbc");
            config.setJdbcUrl(jdbcUrl());
            config.setUsername(USER);
            if (!PASSWORD.isEmpty()) {
                config.setPassword(PASSWORD);
            }
            config.setMaximumPoolSize(POOL_SIZE);
            // The timeouts Cachekit's pool has: the server enforces the operation timeout on every statement,
            // borrowing a connection waits at most as long, and a socket read timeout a little longer (whole
            // seconds, as pgjdbc takes it) ends the wait on a server that stops answering, so that it cannot hold
            // a connection forever.
            config.setConnectionTimeout(TIMEOUT.toMillis());
            config.addDataSourceProperty("options", "-c statement_timeout=" + TIMEOUT.toMillis());
            config.addDataSourceProperty("connectTimeout", Long.toString(TIMEOUT.toSeconds()));
            config.addDataSourceProperty("socketTimeout", Long.toString(TIMEOUT.toSeconds() + 1));
            config.addDataSourceProperty("tcpKeepAlive", "true");
            pool = new HikariDataSource(config);
            for (int from = 0; from < KEY_COUNT; from += BATCH_KEYS) {
                Map<String, UserRecord> records = new HashMap<>();
                for (int i = from; i < Math.min(KEY_COUNT, from + BATCH_KEYS); i++) {
                    records.put(recordKey(i), Payloads.RECORD);
                    set(stringKey(i), Payloads.STRING_BYTES);
                }
                setMany(records);
            }
            for (int i = 0; i < KEY_COUNT; i++) {
                expect(Payloads.RECORD, Payloads.decode(get(recordKey(i))), "the raw SELECT of " + recordKey(i));
                expect(Payloads.STRING, Payloads.decodeString(get(stringKey(i))), "the raw SELECT of " + stringKey(i));
            }
            missed.reset();
        }

        byte[] get(String key) throws SQLException {
            try (Connection c = pool.getConnection();
                    PreparedStatement ps = c.prepareStatement(SELECT)) {
                ps.setString(1, NAMESPACE);
                ps.setBytes(2, key.getBytes(StandardCharsets.UTF_8));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : null;
                }
            }
        }

        int set(String key, byte[] value) throws SQLException {
            try (Connection c = pool.getConnection();
                    PreparedStatement ps = c.prepareStatement(UPSERT)) {
                bindUpsert(ps, key, value);
                return ps.executeUpdate();
            }
        }

        private static void bindUpsert(PreparedStatement ps, String key, byte[] value) throws SQLException {
            ps.setString(1, NAMESPACE);
            ps.setBytes(2, key.getBytes(StandardCharsets.UTF_8));
            ps.setBytes(3, value);
            ps.setLong(4, TTL.toNanos() / 1_000);
        }

        Map<String, UserRecord> getMany(List<String> keys) throws SQLException {
            byte[][] stored = new byte[keys.size()][];
            for (int i = 0; i < stored.length; i++) {
                stored[i] = keys.get(i).getBytes(StandardCharsets.UTF_8);
            }
            Map<String, UserRecord> found = new HashMap<>();
            try (Connection c = pool.getConnection();
                    PreparedStatement ps = c.prepareStatement(SELECT_MANY)) {
                Array array = c.createArrayOf("bytea", stored);
                try {
                    ps.setString(1, NAMESPACE);
                    ps.setArray(2, array);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            found.put(
                                    new String(rs.getBytes(1), StandardCharsets.UTF_8),
                                    Payloads.decode(rs.getBytes(2)));
                        }
                    }
                } finally {
                    array.free();
                }
            }
            return found;
        }

        int[] setMany(Map<String, UserRecord> entries) throws SQLException {
            List<Map.Entry<String, UserRecord>> rows = new ArrayList<>(entries.entrySet());
            rows.sort(Map.Entry.comparingByKey()); // key order: concurrent batches cannot deadlock
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                    for (Map.Entry<String, UserRecord> row : rows) {
                        bindUpsert(ps, row.getKey(), Payloads.encode(row.getValue()));
                        ps.addBatch();
                    }
                    int[] counts = ps.executeBatch();
                    c.commit();
                    return counts;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            }
        }

        <T> T checkHit(T value) {
            if (value == null) {
                missed.increment();
            }
            return value;
        }

        Map<String, UserRecord> checkBatch(Map<String, UserRecord> found) {
            if (found.size() != BATCH_KEYS || found.containsValue(null)) {
                missed.increment();
            }
            return found;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                if (missed.sum() != 0) {
                    throw new IllegalStateException("A measured raw read missed");
                }
            } finally {
                pool.close();
            }
        }
    }
}
