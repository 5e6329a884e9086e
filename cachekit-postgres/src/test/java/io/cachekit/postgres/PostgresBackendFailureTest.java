package io.cachekit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cachekit.Cache;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.ErrorPolicy;
import io.cachekit.postgres.internal.TableSql;
import io.cachekit.spi.BackendContext;
import io.cachekit.tck.CacheBackendFailureContract;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The backend when PostgreSQL fails: the failure contract (stopped, killed under load, paused, down at
 * creation, oversized values, foreign bytes), slow statements, several instances sharing a table; plus the
 * checks that guard configuration (identifiers) and messages (credentials).
 *
 * <p>The class runs a cluster of its own on port 5434 (system property {@code
 * cachekit.postgres.failurePort}), so stopping it disturbs no other test.
 */
class PostgresBackendFailureTest extends CacheBackendFailureContract {
    private static final int FAILURE_PORT = Integer.getInteger("cachekit.postgres.failurePort", 5434);
    private static final String SECRET = "s3cr3t-pw";
    private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(1);

    private final ThrowawayPostgres throwaway = new ThrowawayPostgres(FAILURE_PORT, "postgres-failure-test");
    private ExecutorService executor;

    @BeforeAll
    void startThrowawayServer() {
        executor = TestDatabase.boundedExecutor();
        throwaway.start();
    }

    @AfterAll
    void stopThrowawayServer() {
        executor.shutdownNow();
        throwaway.stop();
    }

    @Override
    protected String storeUri() {
        return "postgresql://" + TestDatabase.USER + "@" + TestDatabase.HOST + ":" + FAILURE_PORT + "/"
                + TestDatabase.DATABASE + "?table=cachekit_failure_contract&maxValueBytes=1048576";
    }

    @Override
    protected void stopStore() {
        throwaway.halt();
    }

    @Override
    protected void startStore() {
        throwaway.start();
    }

    @Override
    protected void pauseStore() {
        throwaway.pause();
    }

    @Override
    protected void resumeStore() {
        throwaway.resume();
    }

    @Override
    protected int oversizedValueBytes() {
        return 2 * 1024 * 1024;
    }

    private BackendContext context(Duration timeout) {
        return new BackendContext(timeout, Clock.systemUTC(), executor);
    }

    private Cache cacheOver(PostgresBackend backend, Duration timeout) {
        return Cachekit.create(
                CachekitConfig.builder()
                        .namespace("failure-" + UUID.randomUUID().toString().substring(0, 8))
                        .operationTimeout(timeout)
                        .executor(executor)
                        .build(),
                backend);
    }

    // ------------------------------------------------------------------ stopped and started again

    @Test
    void methodCachingFailsOpenWhileTheDatabaseIsDownAndUsesTheCacheAgainOnceItIsBack() {
        PostgresBackend backend = PostgresBackend.create(
                TestDatabase.options(FAILURE_PORT, "cachekit_failover")
                        .credentials(TestDatabase.USER, SECRET) // trust auth ignores it; messages must too
                        .build(),
                context(SHORT_TIMEOUT));
        try (Cache cache = cacheOver(backend, SHORT_TIMEOUT)) {
            AtomicInteger calls = new AtomicInteger();
            PriceService prices = cache.proxy(PriceService.class, item -> {
                calls.incrementAndGet();
                return item.length();
            });

            assertThat(prices.price("apple")).isEqualTo(5);
            assertThat(prices.price("apple")).isEqualTo(5);
            assertThat(calls).as("the second call is a hit").hasValue(1);

            throwaway.halt();
            long errorsBeforeOutage = cache.stats().errors();
            assertThat(prices.price("apple")).isEqualTo(5);
            assertThat(prices.price("apple")).isEqualTo(5);
            assertThat(prices.price("pear")).isEqualTo(4);
            assertThat(calls)
                    .as("every call runs the real method while the database is down")
                    .hasValue(4);
            assertThat(cache.stats().errors()).isGreaterThanOrEqualTo(errorsBeforeOutage + 3);

            Throwable direct = catchThrowable(() -> backend.get(cache.namespace(), "any"));
            assertThat(direct).isInstanceOf(CacheBackendException.class);
            assertThat(messagesOf(direct)).noneMatch(m -> m.contains(SECRET));

            throwaway.start();
            // The pool drops the dead connections and opens new ones on its own.
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptionsInstanceOf(CacheBackendException.class)
                    .until(() -> backend.get(cache.namespace(), "probe") == null);
            long errorsAfterRecovery = cache.stats().errors();

            assertThat(prices.price("apple"))
                    .as("stored before the outage, still there")
                    .isEqualTo(5);
            assertThat(calls).hasValue(4);
            assertThat(prices.price("kiwi")).isEqualTo(4);
            assertThat(prices.price("kiwi")).isEqualTo(4);
            assertThat(calls).as("the cache is used again").hasValue(5);
            assertThat(cache.stats().errors()).isEqualTo(errorsAfterRecovery);
        }
    }

    // ------------------------------------------------------------------ slow statements

    @Test
    void operationsOnAPausedServerTimeOutAndFreeTheirPoolSlots() {
        try (PostgresBackend backend = PostgresBackend.create(
                TestDatabase.options(FAILURE_PORT, "cachekit_failure_slots")
                        .poolSize(2)
                        .build(),
                context(SHORT_TIMEOUT))) {
            backend.set("slots", "k", "v".getBytes(StandardCharsets.UTF_8), null);
            HikariDataSource pool = backend.unwrap(HikariDataSource.class);
            throwaway.pause();
            try {
                // Twice as many calls as the pool has connections: each ends in a timeout of its own; the
                // connections that timed out are dropped, so no slot stays held by a call that gave up.
                for (int i = 0; i < 4; i++) {
                    assertThatThrownBy(() -> backend.get("slots", "k")).isInstanceOf(CacheTimeoutException.class);
                }
                assertThat(pool.getHikariPoolMXBean().getActiveConnections())
                        .as("timed-out operations hold no connection")
                        .isZero();
            } finally {
                throwaway.resume();
            }
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptionsInstanceOf(CacheBackendException.class)
                    .until(() -> backend.get("slots", "k") != null);
        }
    }

    @Test
    void theOwnedPoolsConnectionsRestAtASocketTimeoutJustOverTheOperationTimeout() throws SQLException {
        try (PostgresBackend backend = PostgresBackend.create(
                        TestDatabase.options(FAILURE_PORT, "cachekit_failure_socket")
                                .build(),
                        context(SHORT_TIMEOUT));
                Connection connection = backend.unwrap(DataSource.class).getConnection()) {
            assertThat(connection.getNetworkTimeout())
                    .as("1 s + 250 ms, rounded up to whole seconds (pgjdbc's socketTimeout)")
                    .isEqualTo(2_000);
        }
    }

    @Test
    void anOwnSocketTimeoutWithoutBoundStillLeavesEveryOperationBoundedOnAPausedServer() {
        try (PostgresBackend backend = PostgresBackend.create(
                TestDatabase.options(FAILURE_PORT, "cachekit_failure_own_socket")
                        .connectionProperty("socketTimeout", "0")
                        .poolSize(1)
                        .build(),
                context(SHORT_TIMEOUT))) {
            backend.set("own", "k", "v".getBytes(StandardCharsets.UTF_8), null);
            throwaway.pause();
            try {
                long start = System.nanoTime();
                assertThatThrownBy(() -> backend.get("own", "k")).isInstanceOf(CacheTimeoutException.class);
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(took)
                        .as("the operation's own socket timeout: what is left of 1 s, plus 250 ms")
                        .isBetween(SHORT_TIMEOUT, SHORT_TIMEOUT.plusMillis(900));
            } finally {
                throwaway.resume();
            }
        }
    }

    @Test
    void aStatementBlockedByALockEndsWithATimeout() throws SQLException {
        String table = "cachekit_failure_locked";
        TestDatabase.dropTable(table);
        try (PostgresBackend backend =
                PostgresBackend.create(TestDatabase.options(table).build(), context(SHORT_TIMEOUT))) {
            assertThat(sessionStatementTimeout(backend))
                    .as("the owned pool's sessions run with the operation timeout")
                    .isEqualTo("1s");
            assertTimesOutOnALockedTable(backend, table);
        }
    }

    @Test
    void aStatementOnASuppliedDataSourceEndsWithATimeout() throws SQLException {
        String table = "cachekit_failure_locked_supplied";
        TestDatabase.dropTable(table);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(TestDatabase.jdbcUrl());
        config.setUsername(TestDatabase.USER);
        config.setMaximumPoolSize(2);
        try (HikariDataSource appPool = new HikariDataSource(config);
                PostgresBackend backend = PostgresBackend.create(
                        PostgresBackendOptions.builder()
                                .dataSource(appPool)
                                .table(table)
                                .purgeInterval(Duration.ZERO)
                                .build(),
                        context(SHORT_TIMEOUT))) {
            assertThat(sessionStatementTimeout(backend))
                    .as("a supplied pool's sessions are left as they are")
                    .isEqualTo("0");
            assertTimesOutOnALockedTable(backend, table);
        }
    }

    @Test
    void optionsInTheUrlFallBackToClientSideTimeouts() throws SQLException {
        String table = "cachekit_failure_locked_url_options";
        TestDatabase.dropTable(table);
        PostgresBackendOptions options = TestDatabase.options(table)
                .jdbcUrl(TestDatabase.jdbcUrl() + "?options=-c%20search_path%3Dpublic")
                .build();
        try (PostgresBackend backend = PostgresBackend.create(options, context(SHORT_TIMEOUT))) {
            assertThat(sessionStatementTimeout(backend))
                    .as("the URL's options replace the backend's")
                    .isEqualTo("0");
            assertTimesOutOnALockedTable(backend, table);
        }
    }

    @Test
    void ownOptionsAreKeptBesideTheStatementTimeout() throws SQLException {
        String table = "cachekit_failure_own_options";
        TestDatabase.dropTable(table);
        PostgresBackendOptions options = TestDatabase.options(table)
                .connectionProperty("options", "-c lock_timeout=700")
                .build();
        try (PostgresBackend backend = PostgresBackend.create(options, context(SHORT_TIMEOUT));
                Connection connection = backend.unwrap(DataSource.class).getConnection();
                Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT current_setting('lock_timeout'), current_setting('statement_timeout')")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("700ms");
            assertThat(rs.getString(2)).isEqualTo("1s");
        }
    }

    private void assertTimesOutOnALockedTable(PostgresBackend backend, String table) throws SQLException {
        try (Cache cache = Cachekit.create(
                CachekitConfig.builder()
                        .namespace("locked")
                        .operationTimeout(SHORT_TIMEOUT)
                        .errorPolicy(ErrorPolicy.THROW)
                        .executor(executor)
                        .build(),
                backend)) {
            backend.set("locked", "k", new byte[] {1}, null);

            try (Connection locker = TestDatabase.connect()) {
                locker.setAutoCommit(false);
                try (Statement s = locker.createStatement()) {
                    // Blocks every read and write of the table until this transaction ends.
                    s.execute("LOCK TABLE public." + table + " IN ACCESS EXCLUSIVE MODE");
                }

                long start = System.nanoTime();
                Throwable timedOut = catchThrowable(() -> backend.get("locked", "k"));
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(timedOut).isInstanceOf(CacheTimeoutException.class);
                assertThat(timedOut.getCause())
                        .as("cancelled on the server")
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState())
                                .isEqualTo("57014"));
                assertThat(took).as("within the timeout").isBetween(SHORT_TIMEOUT, SHORT_TIMEOUT.plusMillis(900));
                assertThatThrownBy(() -> backend.set("locked", "k", new byte[] {2}, Duration.ofMinutes(1)))
                        .isInstanceOf(CacheTimeoutException.class);
                assertThatThrownBy(() -> backend.setMany("locked", Map.of("a", new byte[] {3}), null))
                        .isInstanceOf(CacheTimeoutException.class);
                assertThatThrownBy(() -> backend.getAsync("locked", "k").get())
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(CacheTimeoutException.class);
                assertThatThrownBy(() -> cache.get("k", String.class)).isInstanceOf(CacheTimeoutException.class);

                locker.rollback();
            }

            assertThat(backend.get("locked", "k"))
                    .as("connections are fine after a cancel")
                    .containsExactly(1);
        }
    }

    private static String sessionStatementTimeout(PostgresBackend backend) throws SQLException {
        try (Connection connection = backend.unwrap(DataSource.class).getConnection();
                Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SHOW statement_timeout")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    // ------------------------------------------------------------------ purge

    @Test
    void purgeDeletesExpiredRowsInBatchesAndOneInstanceAtATime() throws Exception {
        String table = "cachekit_failure_purge";
        TestDatabase.dropTable(table);
        PostgresBackendOptions options =
                TestDatabase.options(table).purgeBatchSize(10).build();
        try (PostgresBackend first = PostgresBackend.create(options, context(Duration.ofSeconds(10)));
                PostgresBackend second = PostgresBackend.create(options, context(Duration.ofSeconds(10)))) {
            first.set("live", "kept", new byte[] {1}, Duration.ofHours(1));
            first.set("live", "forever", new byte[] {2}, null);
            insertExpiredRows(table, "old", 25);

            CompletableFuture<OptionalLong> firstPurge;
            try (Connection locker = TestDatabase.connect()) {
                locker.setAutoCommit(false);
                try (Statement s = locker.createStatement()) {
                    s.execute("LOCK TABLE public." + table + " IN ACCESS EXCLUSIVE MODE");
                }
                // The first instance takes the purge lock, then waits for the table.
                firstPurge = CompletableFuture.supplyAsync(first::purgeExpired, executor);
                long lockKey = new TableSql("public", table).purgeLockKey;
                await().atMost(Duration.ofSeconds(30)).until(() -> purgeLockHolders(lockKey) == 1);

                assertThat(second.purgeExpired())
                        .as("the lock is taken: the second instance skips")
                        .isEmpty();
                assertThat(firstPurge).isNotDone();

                locker.rollback();
            }

            assertThat(firstPurge.get()).as("25 rows in batches of 10").hasValue(25);
            assertThat(second.purgeExpired()).as("nothing left to purge").hasValue(0);
            assertThat(rowCount(table)).as("live rows stay").isEqualTo(2);
            assertThat(first.get("live", "kept")).containsExactly(1);
            assertThat(first.get("live", "forever")).containsExactly(2);
        }
    }

    @Test
    void purgeMayTakeLongerThanTheOperationTimeout() throws Exception {
        String table = "cachekit_failure_purge_slow";
        TestDatabase.dropTable(table);
        try (PostgresBackend backend =
                PostgresBackend.create(TestDatabase.options(table).build(), context(SHORT_TIMEOUT))) {
            insertExpiredRows(table, "old", 5);
            CompletableFuture<OptionalLong> purge;
            try (Connection locker = TestDatabase.connect()) {
                locker.setAutoCommit(false);
                try (Statement s = locker.createStatement()) {
                    s.execute("LOCK TABLE public." + table + " IN ACCESS EXCLUSIVE MODE");
                }
                purge = CompletableFuture.supplyAsync(backend::purgeExpired, executor);
                await().during(SHORT_TIMEOUT.plusMillis(500))
                        .atMost(SHORT_TIMEOUT.plusSeconds(5))
                        .until(() -> !purge.isDone());
                locker.rollback();
            }
            assertThat(purge.get())
                    .as("the session's statement_timeout does not cut the purge")
                    .hasValue(5);
        }
    }

    @Test
    void theScheduledPurgeRunsOnItsOwnThreadAndStopsOnClose() throws Exception {
        String table = "cachekit_failure_scheduled";
        TestDatabase.dropTable(table);
        String threadName = "cachekit-postgres-purge-" + table;
        PostgresBackend backend = PostgresBackend.create(
                TestDatabase.options(table)
                        .purgeInterval(Duration.ofMillis(100))
                        .build(),
                context(Duration.ofSeconds(10)));
        try {
            backend.set("live", "kept", new byte[] {1}, Duration.ofHours(1));
            insertExpiredRows(table, "old", 30);
            await().atMost(Duration.ofSeconds(30)).until(() -> rowCount(table) == 1);
            assertThat(purgeThreads(threadName)).singleElement().satisfies(t -> assertThat(t.isDaemon())
                    .isTrue());
        } finally {
            backend.close();
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> purgeThreads(threadName).isEmpty());
        assertThatThrownBy(() -> backend.get("live", "kept"))
                .isInstanceOf(CacheBackendException.class)
                .hasMessageContaining("closed");
    }

    // ------------------------------------------------------------------ configuration and messages

    @Test
    void badIdentifiersAreRejectedWithAClearMessage() {
        assertThatThrownBy(() -> PostgresBackendOptions.builder().table("bad;name"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("table name must be a lowercase identifier")
                .hasMessageContaining("'bad;name'");
        assertThatThrownBy(() -> PostgresBackendOptions.builder().schema("public\"; DROP TABLE x; --"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema name must be a lowercase identifier");
        assertThatThrownBy(() -> PostgresBackendOptions.builder().table("x".repeat(49)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 48 characters");
        assertThatThrownBy(() -> new PostgresBackendProvider()
                        .create(
                                URI.create("postgresql://127.0.0.1:5433/cachekit?table=bad;name"),
                                context(SHORT_TIMEOUT)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'bad;name'");
    }

    @Test
    void credentialsNeverAppearInMessages() {
        // Nothing listens on port 1: creation fails at once.
        URI uri = URI.create("postgresql://cachekit_user:" + SECRET + "@127.0.0.1:1/cachekit?poolSize=1");
        Throwable unreachable = catchThrowable(() -> new PostgresBackendProvider().create(uri, context(SHORT_TIMEOUT)));
        assertThat(unreachable).isInstanceOf(CacheBackendException.class);
        assertThat(messagesOf(unreachable)).noneMatch(m -> m.contains(SECRET));

        Throwable badOption = catchThrowable(() -> new PostgresBackendProvider()
                .create(
                        URI.create("postgresql://u:" + SECRET + "@127.0.0.1:1/cachekit?colour=red"),
                        context(SHORT_TIMEOUT)));
        assertThat(badOption)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("colour")
                .hasMessageContaining("poolSize");
        assertThat(messagesOf(badOption)).noneMatch(m -> m.contains(SECRET));

        PostgresBackendOptions options = PostgresBackendProvider.toOptions(uri);
        assertThat(options.password()).isEqualTo(SECRET);
        assertThat(options.toString()).doesNotContain(SECRET).contains("password=***");
        PostgresBackendOptions inUrl = PostgresBackendOptions.builder()
                .jdbcUrl("jdbc:postgresql://127.0.0.1:1/cachekit?user=u&password=" + SECRET)
                .build();
        assertThat(inUrl.target()).doesNotContain(SECRET);
        assertThat(inUrl.toString()).doesNotContain(SECRET);
    }

    // ------------------------------------------------------------------ helpers

    private static List<String> messagesOf(Throwable t) {
        List<String> messages = new ArrayList<>();
        for (Throwable c = t; c != null; c = c.getCause()) {
            messages.add(String.valueOf(c.getMessage()));
            messages.add(c.toString());
            for (Throwable s : c.getSuppressed()) {
                messages.add(String.valueOf(s.getMessage()));
            }
        }
        return messages;
    }

    private static void insertExpiredRows(String table, String namespace, int count) throws SQLException {
        try (Connection c = TestDatabase.connect();
                PreparedStatement ps = c.prepareStatement("INSERT INTO public." + table
                        + " (namespace, key, value, expires_at) VALUES (?, ?, ?, now() - interval '1 hour')")) {
            for (int i = 0; i < count; i++) {
                ps.setString(1, namespace);
                ps.setBytes(2, ("expired-" + i).getBytes(StandardCharsets.UTF_8));
                ps.setBytes(3, new byte[] {0});
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static long rowCount(String table) throws SQLException {
        try (Connection c = TestDatabase.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM public." + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** How many sessions hold the advisory lock with this key, as pg_locks shows it. */
    private static long purgeLockHolders(long key) throws SQLException {
        try (Connection c = TestDatabase.connect();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                        + " AND granted AND classid = ?::bigint::oid AND objid = ?::bigint::oid AND objsubid = 1")) {
            ps.setLong(1, key >>> 32);
            ps.setLong(2, key & 0xFFFF_FFFFL);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static List<Thread> purgeThreads(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(name) && t.isAlive())
                .toList();
    }
}
