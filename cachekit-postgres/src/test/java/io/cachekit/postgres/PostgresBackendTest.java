package io.cachekit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cachekit.CacheBackendException;
import io.cachekit.spi.BackendContext;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** What the PostgreSQL backend does beyond the common contract: its table, keys, expiry and data sources. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresBackendTest {
    private static final String TABLE = "cachekit_backend_test";

    private ExecutorService executor;
    private BackendContext context;
    private PostgresBackend backend;

    @BeforeAll
    void createBackend() throws SQLException {
        executor = TestDatabase.boundedExecutor();
        context = new BackendContext(Duration.ofSeconds(10), Clock.systemUTC(), executor);
        TestDatabase.dropTable(TABLE);
        backend = PostgresBackend.create(TestDatabase.options(TABLE).build(), context);
    }

    @AfterAll
    void closeBackend() {
        if (backend != null) {
            backend.close();
        }
        executor.shutdownNow();
    }

    private static String newNamespace() {
        return "t-" + UUID.randomUUID().toString().substring(0, 12);
    }

    @Test
    void keysThatTextCannotHoldAreStoredExactlyAndApart() {
        String ns = newNamespace();
        List<String> keys =
                List.of("nul\u0000", "nul", "\uD800", "\uDC00", "\uD800\uDC00", "\uD83D\uDE00", "a\uD800b", "a?b");
        for (int i = 0; i < keys.size(); i++) {
            backend.set(ns, keys.get(i), new byte[] {(byte) i}, null);
        }
        for (int i = 0; i < keys.size(); i++) {
            assertThat(backend.get(ns, keys.get(i))).as("key #%d", i).containsExactly(i);
        }
        assertThat(backend.getMany(ns, keys)).hasSize(keys.size());
    }

    @Test
    void ordinaryKeysAreStoredAsReadableUtf8() throws SQLException {
        String ns = newNamespace();
        backend.set(ns, "user:42 ✓", new byte[] {1}, null);
        try (Connection c = TestDatabase.connect();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT convert_from(key, 'UTF8') FROM public." + TABLE + " WHERE namespace = ?")) {
            ps.setString(1, ns);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("user:42 ✓");
            }
        }
    }

    @Test
    void longKeysAreStoredAsDigestsAndStillComeBackByTheirOwnName() throws SQLException {
        String ns = newNamespace();
        String a = "k".repeat(5000) + "a";
        String b = "k".repeat(5000) + "b";
        backend.set(ns, a, new byte[] {1}, null);
        backend.setMany(ns, Map.of(b, new byte[] {2}), null);
        assertThat(backend.get(ns, a)).containsExactly(1);
        assertThat(backend.get(ns, b)).containsExactly(2);
        assertThat(backend.getMany(ns, List.of(a, b, "short"))).containsOnlyKeys(a, b);
        try (Connection c = TestDatabase.connect();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT length(key), get_byte(key, 0) FROM public." + TABLE + " WHERE namespace = ?")) {
            ps.setString(1, ns);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    assertThat(rs.getInt(1)).isEqualTo(33);
                    assertThat(rs.getInt(2)).isEqualTo(0xFF);
                }
            }
        }
    }

    @Test
    void expiredRowsAreNeverReadAndThePurgeDeletesThem() throws SQLException {
        String ns = newNamespace();
        backend.set(ns, "short", new byte[] {1}, Duration.ofMillis(200));
        backend.setMany(ns, Map.of("short-bulk", new byte[] {2}), Duration.ofMillis(200));
        backend.set(ns, "long", new byte[] {3}, Duration.ofHours(1));
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> backend.get(ns, "short") == null && backend.get(ns, "short-bulk") == null);
        assertThat(backend.getMany(ns, List.of("short", "short-bulk", "long"))).containsOnlyKeys("long");
        assertThat(rows(ns)).as("expired rows wait for the purge").isEqualTo(3);

        assertThat(backend.purgeExpired().orElseThrow()).isGreaterThanOrEqualTo(2);
        assertThat(rows(ns)).isEqualTo(1);
    }

    @Test
    void aWriteReplacesTheExpiryAndVeryLongTtlsNeverExpire() throws SQLException {
        String ns = newNamespace();
        backend.set(ns, "k", new byte[] {1}, Duration.ofMinutes(1));
        assertThat(expiresAtIsNull(ns, "k")).isFalse();
        backend.set(ns, "k", new byte[] {2}, null);
        assertThat(expiresAtIsNull(ns, "k")).as("no old expiry survives").isTrue();
        backend.set(ns, "k", new byte[] {3}, Duration.ofMinutes(1));
        assertThat(expiresAtIsNull(ns, "k")).isFalse();

        backend.set(ns, "centuries", new byte[] {4}, Duration.ofDays(365L * 200));
        backend.set(ns, "forever", new byte[] {5}, ChronoUnit.FOREVER.getDuration());
        assertThat(expiresAtIsNull(ns, "centuries")).isTrue();
        assertThat(expiresAtIsNull(ns, "forever")).isTrue();
        assertThat(backend.get(ns, "forever")).containsExactly(5);
    }

    @Test
    void bulkWritesAndReadsMapEveryKeyBack() {
        String ns = newNamespace();
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < 300; i++) {
            entries.put("k" + i, new byte[] {(byte) i});
        }
        backend.setMany(ns, entries, Duration.ofMinutes(5));
        List<String> asked = new ArrayList<>(entries.keySet());
        asked.add("k0"); // asked twice
        asked.add("missing");
        Map<String, byte[]> found = backend.getMany(ns, asked);
        assertThat(found).hasSize(300).doesNotContainKey("missing");
        assertThat(found.get("k299")).containsExactly((byte) 299);
        backend.setMany(ns, Map.of(), null);
        assertThat(backend.getMany(ns, List.of())).isEmpty();
    }

    @Test
    void clearDeletesThroughThePrimaryKeyIndex() throws SQLException {
        try (Connection c = TestDatabase.connect();
                Statement s = c.createStatement()) {
            s.execute("SET enable_seqscan = off");
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = s.executeQuery("EXPLAIN DELETE FROM public." + TABLE + " WHERE namespace = 'ns'")) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            assertThat(plan.toString()).contains(TABLE + "_pkey");
        }
    }

    @Test
    void theCreatedTableHasTheDocumentedLayout() throws SQLException {
        try (Connection c = TestDatabase.connect();
                PreparedStatement ps = c.prepareStatement("SELECT indexdef FROM pg_indexes WHERE tablename = ?")) {
            ps.setString(1, TABLE);
            List<String> indexes = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    indexes.add(rs.getString(1));
                }
            }
            assertThat(indexes)
                    .anySatisfy(d -> assertThat(d).contains("UNIQUE INDEX").contains("(namespace, key)"))
                    .anySatisfy(d ->
                            assertThat(d).contains(TABLE + "_expires_at_idx").contains("(expires_at)"));
        }
        assertThat(persistence(TABLE)).isEqualTo("p");
    }

    @Test
    void theUnloggedOptionCreatesAnUnloggedTable() throws SQLException {
        String table = "cachekit_backend_unlogged";
        TestDatabase.dropTable(table);
        try (PostgresBackend unlogged = PostgresBackend.create(
                TestDatabase.options(table).unlogged(true).build(), context)) {
            unlogged.set("ns", "k", new byte[] {1}, null);
            assertThat(unlogged.get("ns", "k")).containsExactly(1);
        }
        assertThat(persistence(table)).isEqualTo("u");
    }

    @Test
    void aMissingTableFailsWhenCreatingIsOff() throws SQLException {
        String table = "cachekit_backend_absent";
        TestDatabase.dropTable(table);
        assertThatThrownBy(() -> PostgresBackend.create(
                        TestDatabase.options(table).createTable(false).build(), context))
                .isInstanceOf(CacheBackendException.class)
                .hasMessageContaining("\"public\".\"" + table + "\" does not exist and createTable is false");
    }

    @Test
    void aTableOfAnotherLayoutIsRejectedAtStart() throws SQLException {
        String table = "cachekit_backend_foreign";
        TestDatabase.dropTable(table);
        try (Connection c = TestDatabase.connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE public." + table + " (key text PRIMARY KEY, value bytea, expire_at timestamptz)");
        }
        assertThatThrownBy(
                        () -> PostgresBackend.create(TestDatabase.options(table).build(), context))
                .isInstanceOf(CacheBackendException.class)
                .hasMessageContaining("Cachekit needs");
    }

    @Test
    void aSuppliedDataSourceIsUsedAndLeftOpen() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(TestDatabase.jdbcUrl());
        config.setUsername(TestDatabase.USER);
        config.setMaximumPoolSize(2);
        try (HikariDataSource appPool = new HikariDataSource(config)) {
            PostgresBackend borrowed = PostgresBackend.create(
                    PostgresBackendOptions.builder()
                            .dataSource(appPool)
                            .table(TABLE)
                            .purgeInterval(Duration.ZERO)
                            .build(),
                    context);
            String ns = newNamespace();
            borrowed.set(ns, "k", new byte[] {7}, null);
            assertThat(backend.get(ns, "k")).as("same table").containsExactly(7);
            assertThat(borrowed.unwrap(DataSource.class)).isSameAs(appPool);
            borrowed.close();
            assertThat(appPool.isClosed()).isFalse();
        }
    }

    @Test
    void theOwnedPoolIsReachableAndClosedWithTheBackend() throws Exception {
        PostgresBackend own = PostgresBackend.create(TestDatabase.options(TABLE).build(), context);
        HikariDataSource pool = own.unwrap(HikariDataSource.class);
        assertThat(pool.isClosed()).isFalse();
        assertThatThrownBy(() -> own.unwrap(String.class)).isInstanceOf(IllegalArgumentException.class);
        own.close();
        own.close(); // idempotent
        assertThat(pool.isClosed()).isTrue();
        assertThatThrownBy(() -> own.getAsync("ns", "k").get())
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(CacheBackendException.class);
    }

    @Test
    void nullArgumentsAreRejected() {
        assertThatThrownBy(() -> backend.get(null, "k")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend.get("ns", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend.set("ns", "k", null, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend.set("ns", "k", new byte[0], Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ helpers

    private static long rows(String ns) throws SQLException {
        try (Connection c = TestDatabase.connect();
                PreparedStatement ps =
                        c.prepareStatement("SELECT count(*) FROM public." + TABLE + " WHERE namespace = ?")) {
            ps.setString(1, ns);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static boolean expiresAtIsNull(String ns, String key) throws SQLException {
        try (Connection c = TestDatabase.connect();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT expires_at IS NULL FROM public." + TABLE + " WHERE namespace = ? AND key = ?")) {
            ps.setString(1, ns);
            ps.setBytes(2, key.getBytes(StandardCharsets.UTF_8));
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("row %s/%s exists", ns, key).isTrue();
                return rs.getBoolean(1);
            }
        }
    }

    private static String persistence(String table) throws SQLException {
        try (Connection c = TestDatabase.connect();
                PreparedStatement ps =
                        c.prepareStatement("SELECT relpersistence FROM pg_class WHERE oid = to_regclass(?)")) {
            ps.setString(1, "public." + table);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("table %s exists", table).isTrue();
                return rs.getString(1);
            }
        }
    }
}
