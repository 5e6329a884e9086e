package io.cachekit.benchmarks.postgres;

import static io.cachekit.benchmarks.ReadWriteKeys.KEY_COUNT;
import static io.cachekit.benchmarks.ReadWriteKeys.expect;
import static io.cachekit.benchmarks.ReadWriteKeys.readKey;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.benchmarks.ReadWriteKeys;
import io.cachekit.benchmarks.report.ReportRow;
import io.cachekit.postgres.PostgresBackend;
import io.cachekit.postgres.PostgresBackendOptions;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cachekit's PostgreSQL backend against raw pgjdbc prepared statements doing the same work on the same table
 * of the same server, each through a HikariCP pool of the same size.
 *
 * <p>The server is the one {@code scripts/servers/postgres.sh start} runs ({@code 127.0.0.1:5433}, database
 * {@code cachekit}, user {@code postgres}); the system properties {@code cachekit.postgres.host}, {@code
 * .port}, {@code .database}, {@code .user} and {@code .password} point elsewhere. Reads walk 1,024
 * pre-written keys holding 100-character strings; writes cycle over another 1,024 keys with a ten-minute
 * TTL. The raw rows run the statements a careful application would write by hand: a SELECT that filters
 * expired rows on the database clock, and an upsert that sets {@code expires_at = now() + ttl}. Cachekit
 * adds its envelope (codec, flags, expiry) and key handling on top. Setup checks that every measured read is
 * a hit, and teardown fails the run if one was not.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// One thread: every operation is a round trip to a server on the same machine, so four client threads plus
// their four server processes oversubscribe a small (2-core) host, and the rows swing by a factor of two
// between iterations (errors of 100% of the score were seen); one thread keeps them within some 10-25%.
@Threads(1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class PostgresBenchmark {
    static final int POOL_SIZE = 4; // the same pool size for both sides
    static final String TABLE = "cachekit_benchmark";
    static final Duration TTL = Duration.ofMinutes(10);
    static final String VALUE = "v".repeat(100);

    static final String HOST = System.getProperty("cachekit.postgres.host", "127.0.0.1");
    static final int PORT = Integer.getInteger("cachekit.postgres.port", 5433);
    static final String DATABASE = System.getProperty("cachekit.postgres.database", "cachekit");
    static final String USER = System.getProperty("cachekit.postgres.user", "postgres");
    static final String PASSWORD = System.getProperty("cachekit.postgres.password", "");

    static String jdbcUrl() {
        return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + DATABASE;
    }

    // ---------------------------------------------------------------- rows

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` (PostgreSQL backend)",
            baseline = "rawPgjdbcGet",
            atLeast = 0.9,
            target = "Cachekit get on PostgreSQL >= 0.9 x a raw pgjdbc prepared SELECT")
    public String cachekitGet(CachekitState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextRead(), String.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.set` (PostgreSQL backend)",
            baseline = "rawPgjdbcSet",
            atLeast = 0.9,
            target = "Cachekit set on PostgreSQL >= 0.9 x a raw pgjdbc prepared upsert")
    public void cachekitSet(CachekitState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextWrite(), VALUE, TTL);
    }

    @Benchmark
    @ReportRow(label = "Raw pgjdbc prepared SELECT (HikariCP)")
    public String rawPgjdbcGet(RawState state, ReadWriteKeys keys) throws SQLException {
        return state.get(keys.nextRead());
    }

    @Benchmark
    @ReportRow(label = "Raw pgjdbc prepared upsert (HikariCP)")
    public int rawPgjdbcSet(RawState state, ReadWriteKeys keys) throws SQLException {
        return state.set(keys.nextWrite(), VALUE, TTL);
    }

    // ---------------------------------------------------------------- keys

    // ---------------------------------------------------------------- subjects

    /** Cachekit on its PostgreSQL backend, namespace {@code bench-cachekit}, with its own pool. */
    @State(Scope.Benchmark)
    public static class CachekitState {
        Cache cache;
        private long missesAfterSetup;

        @Setup(Level.Trial)
        public void setUp() {
            CachekitConfig config = CachekitConfig.builder()
                    .namespace("bench-cachekit")
                    .operationTimeout(Duration.ofSeconds(5))
                    .build();
            PostgresBackend backend = PostgresBackend.create(
                    PostgresBackendOptions.builder()
                            .jdbcUrl(jdbcUrl())
                            .credentials(USER, PASSWORD.isEmpty() ? null : PASSWORD)
                            .table(TABLE)
                            .poolSize(POOL_SIZE)
                            .build(),
                    Cachekit.contextOf(config));
            cache = Cachekit.create(config, backend);
            missesAfterSetup = ReadWriteKeys.populate(cache, VALUE, TTL);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                ReadWriteKeys.expectNoMissOrError(cache, missesAfterSetup);
            } finally {
                cache.close();
            }
        }
    }

    /** pgjdbc through HikariCP, namespace {@code bench-raw}, in the same table. */
    @State(Scope.Benchmark)
    public static class RawState {
        private static final String NAMESPACE = "bench-raw";
        private static final String SELECT = "SELECT value FROM public." + TABLE
                + " WHERE namespace = ? AND key = ? AND (expires_at IS NULL OR expires_at > now())";
        private static final String UPSERT = "INSERT INTO public." + TABLE + " (namespace, key, value, expires_at)"
                + " VALUES (?, ?, ?, now() + ? * interval '1 microsecond')"
                + " ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at";

        private HikariDataSource pool;
        private final LongAdder missed = new LongAdder();

        @Setup(Level.Trial)
        public void setUp() throws SQLException {
            // Creates the table if this row runs first; the raw statements then share it.
            PostgresBackend.create(
                            PostgresBackendOptions.builder()
                                    .jdbcUrl(jdbcUrl())
                                    .credentials(USER, PASSWORD.isEmpty() ? null : PASSWORD)
                                    .table(TABLE)
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
            pool = new HikariDataSource(config);
            for (int i = 0; i < KEY_COUNT; i++) {
                set(readKey(i), VALUE, TTL);
            }
            for (int i = 0; i < KEY_COUNT; i++) {
                expect(VALUE, get(readKey(i)), "the raw SELECT of " + readKey(i));
            }
            missed.reset();
        }

        String get(String key) throws SQLException {
            try (Connection c = pool.getConnection();
                    PreparedStatement ps = c.prepareStatement(SELECT)) {
                ps.setString(1, NAMESPACE);
                ps.setBytes(2, key.getBytes(StandardCharsets.UTF_8));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new String(rs.getBytes(1), StandardCharsets.UTF_8);
                    }
                    missed.increment();
                    return null;
                }
            }
        }

        int set(String key, String value, Duration ttl) throws SQLException {
            try (Connection c = pool.getConnection();
                    PreparedStatement ps = c.prepareStatement(UPSERT)) {
                ps.setString(1, NAMESPACE);
                ps.setBytes(2, key.getBytes(StandardCharsets.UTF_8));
                ps.setBytes(3, value.getBytes(StandardCharsets.UTF_8));
                ps.setLong(4, ttl.toNanos() / 1_000);
                return ps.executeUpdate();
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                if (missed.sum() != 0) {
                    throw new IllegalStateException("A measured raw SELECT missed");
                }
            } finally {
                pool.close();
            }
        }
    }
}
