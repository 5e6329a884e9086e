package io.cachekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.CacheBackendException;
import io.cachekit.spi.CacheBackend;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the Redis backend does beyond the contract, checked on the server itself through separate Lettuce
 * connections: key layout, native TTL, clear on every master, bulk operations across slots, limits.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisBackendTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Where a test runs. */
    enum Topology {
        STANDALONE,
        CLUSTER
    }

    private final Map<Topology, CacheBackend> backends = new HashMap<>();
    private final List<RedisClient> rawClients = new ArrayList<>();
    private StatefulRedisConnection<byte[], byte[]> standaloneRaw;
    private final List<StatefulRedisConnection<byte[], byte[]>> clusterMastersRaw = new ArrayList<>();

    @BeforeAll
    void connect() {
        backends.put(Topology.STANDALONE, backend(RedisTestServers.standaloneUri()));
        backends.put(Topology.CLUSTER, backend(RedisTestServers.clusterUri()));
        standaloneRaw = raw(RedisTestServers.PORT);
        for (String port : RedisTestServers.CLUSTER_PORTS.split(",")) {
            clusterMastersRaw.add(raw(Integer.parseInt(port.trim())));
        }
    }

    @AfterAll
    void close() {
        backends.values().forEach(CacheBackend::close);
        rawClients.forEach(RedisClient::shutdown);
    }

    private static CacheBackend backend(String uri) {
        return RedisTestServers.connect(uri, RedisTestServers.context(TIMEOUT));
    }

    private StatefulRedisConnection<byte[], byte[]> raw(int port) {
        RedisClient client = RedisClient.create(RedisURI.create(RedisTestServers.HOST, port));
        rawClients.add(client);
        return client.connect(ByteArrayCodec.INSTANCE);
    }

    /** The raw connection to the node that holds {@code key} (which has no glob characters). */
    private StatefulRedisConnection<byte[], byte[]> nodeOf(Topology topology, byte[] key) {
        if (topology == Topology.STANDALONE) {
            return standaloneRaw;
        }
        // A master answers MOVED for keys of other slots, so look for the key with SCAN, which never redirects.
        List<Integer> counts = keysPerNode(topology, new String(key, StandardCharsets.UTF_8));
        int index = counts.indexOf(1);
        if (index >= 0) {
            return clusterMastersRaw.get(index);
        }
        throw new AssertionError("no master holds " + new String(key, StandardCharsets.UTF_8));
    }

    /** How many keys match {@code pattern} on each master (one entry for a standalone server). */
    private List<Integer> keysPerNode(Topology topology, String pattern) {
        List<StatefulRedisConnection<byte[], byte[]>> nodes =
                topology == Topology.STANDALONE ? List.of(standaloneRaw) : clusterMastersRaw;
        List<Integer> counts = new ArrayList<>();
        for (StatefulRedisConnection<byte[], byte[]> node : nodes) {
            int count = 0;
            ScanArgs args = ScanArgs.Builder.matches(pattern).limit(500);
            KeyScanCursor<byte[]> cursor = node.sync().scan(ScanCursor.INITIAL, args);
            count += cursor.getKeys().size();
            while (!cursor.isFinished()) {
                cursor = node.sync().scan(cursor, args);
                count += cursor.getKeys().size();
            }
            counts.add(count);
        }
        return counts;
    }

    private static String namespace() {
        return "rt-" + UUID.randomUUID().toString().substring(0, 12);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(Topology.class)
    void storesNamespaceColonKeyWithNativeTtl(Topology topology) {
        CacheBackend backend = backends.get(topology);
        String ns = namespace();
        byte[] value = {0, 1, 2, (byte) 0xFF};
        backend.set(ns, "user:42", value, Duration.ofSeconds(90));

        byte[] stored = bytes(ns + ":user:42");
        StatefulRedisConnection<byte[], byte[]> node = nodeOf(topology, stored);
        assertThat(node.sync().get(stored)).containsExactly(value);
        assertThat(node.sync().pttl(stored)).isBetween(1L, 90_000L);
    }

    @ParameterizedTest
    @EnumSource(Topology.class)
    void noTtlWritesNoExpiryAndDropsAnEarlierOne(Topology topology) {
        CacheBackend backend = backends.get(topology);
        String ns = namespace();
        backend.set(ns, "k", bytes("first"), Duration.ofMinutes(1));
        backend.set(ns, "k", bytes("second"), null);

        byte[] stored = bytes(ns + ":k");
        assertThat(nodeOf(topology, stored).sync().pttl(stored))
                .as("-1: no expiry")
                .isEqualTo(-1L);
        backend.setMany(ns, Map.of("m", bytes("v")), null);
        assertThat(nodeOf(topology, bytes(ns + ":m")).sync().pttl(bytes(ns + ":m")))
                .isEqualTo(-1L);
    }

    @ParameterizedTest
    @EnumSource(Topology.class)
    void subMillisecondTtlsRoundUp(Topology topology) {
        CacheBackend backend = backends.get(topology);
        String ns = namespace();
        backend.set(ns, "k", bytes("v"), Duration.ofSeconds(100).plusNanos(1));
        byte[] stored = bytes(ns + ":k");
        // 100 s and one nanosecond is written as PX 100001: never shorter than asked.
        assertThat(nodeOf(topology, stored).sync().pttl(stored))
                .isGreaterThan(99_000L)
                .isLessThanOrEqualTo(100_001L);
    }

    @ParameterizedTest
    @EnumSource(Topology.class)
    void clearScansEveryMasterInPagesAndLeavesOtherNamespaces(Topology topology) {
        String uri = topology == Topology.STANDALONE ? RedisTestServers.standaloneUri() : RedisTestServers.clusterUri();
        try (CacheBackend smallPages = backend(uri + "?scanCount=10")) {
            String ns = namespace();
            String other = ns + "-other";
            Map<String, byte[]> entries =
                    IntStream.range(0, 600).boxed().collect(Collectors.toMap(i -> "k" + i, i -> bytes("v" + i)));
            smallPages.setMany(ns, entries, Duration.ofMinutes(5));
            smallPages.setMany(other, Map.of("k1", bytes("kept"), "k2", bytes("kept")), Duration.ofMinutes(5));
            assertThat(keysPerNode(topology, ns + ":*"))
                    .as("the keys are spread over every node")
                    .allSatisfy(count -> assertThat(count).isPositive());

            smallPages.clear(ns);

            assertThat(keysPerNode(topology, ns + ":*"))
                    .allSatisfy(count -> assertThat(count).isZero());
            assertThat(smallPages.getMany(other, List.of("k1", "k2"))).hasSize(2);
        }
    }

    /**
     * A new Cluster backend has no connection to any node yet: its first clear opens them one by one from the
     * SCAN that reaches each node. On Lettuce 6 that open blocks the thread sending the SCAN, so a SCAN sent from
     * Lettuce's own I/O thread would wait for itself forever.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a regression hangs: fail instead
    void aNewClusterBackendsFirstClearEnds() throws Exception {
        // Whether a node's connection lands on the I/O thread that waits for it is chance: try several times.
        for (int i = 0; i < 20; i++) {
            try (CacheBackend fresh = backend(RedisTestServers.clusterUri())) {
                assertThat(fresh.clearAsync(namespace()).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                        .as("attempt %d", i)
                        .isNull();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Topology.class)
    void clearOfAnEmptyNamespaceEnds(Topology topology) throws Exception {
        CacheBackend backend = backends.get(topology);
        backend.clear(namespace());
        assertThat(backend.clearAsync(namespace()).get()).isNull();
    }

    @ParameterizedTest
    @EnumSource(Topology.class)
    void bulkOperationsSpanSlotsAndKeepTheirKeys(Topology topology) throws Exception {
        CacheBackend backend = backends.get(topology);
        String ns = namespace();
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < 200; i++) {
            entries.put("key-" + i, bytes("value-" + i));
        }
        backend.setManyAsync(ns, entries, Duration.ofMinutes(5)).get();

        List<String> asked = new ArrayList<>(entries.keySet());
        asked.add("absent");
        asked.add("key-7"); // asked twice
        Map<String, byte[]> found = backend.getMany(ns, asked);
        assertThat(found).hasSize(200).doesNotContainKey("absent");
        entries.forEach((key, value) -> assertThat(found.get(key)).as(key).containsExactly(value));
        assertThat(backend.getManyAsync(ns, List.of()).get()).isEmpty();
        backend.setMany(ns, Map.of(), Duration.ofMinutes(1));
    }

    @ParameterizedTest
    @EnumSource(Topology.class)
    void keysDifferingOnlyInLoneSurrogatesStayApart(Topology topology) {
        CacheBackend backend = backends.get(topology);
        String ns = namespace();
        List<String> keys = List.of("?", "\uD800", "\uDC00", "\uD83D\uDD11", "\uDC00\uD800", "??");
        for (String key : keys) {
            backend.set(ns, key, bytes(key), Duration.ofMinutes(1));
        }
        for (String key : keys) {
            assertThat(backend.get(ns, key))
                    .as("key %s", Arrays.toString(key.toCharArray()))
                    .isEqualTo(bytes(key));
        }
    }

    @ParameterizedTest
    @EnumSource(Topology.class)
    void valuesOverTheLimitFailBeforeTheyAreSent(Topology topology) {
        String uri = topology == Topology.STANDALONE ? RedisTestServers.standaloneUri() : RedisTestServers.clusterUri();
        try (CacheBackend limited = backend(uri + "?maxValueBytes=1024")) {
            String ns = namespace();
            byte[] tooBig = new byte[1025];
            assertThatThrownBy(() -> limited.set(ns, "big", tooBig, Duration.ofMinutes(1)))
                    .isInstanceOf(CacheBackendException.class)
                    .hasMessageContaining("1025 bytes exceeds maxValueBytes 1024");
            assertThat(limited.setAsync(ns, "big", tooBig, null))
                    .failsWithin(TIMEOUT)
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(CacheBackendException.class);
            assertThatThrownBy(() -> limited.setMany(ns, Map.of("ok", new byte[10], "big", tooBig), null))
                    .isInstanceOf(CacheBackendException.class);
            assertThat(limited.getMany(ns, List.of("big", "ok")))
                    .as("nothing of a rejected batch is written")
                    .isEmpty();
            limited.set(ns, "fits", new byte[1024], null);
            assertThat(limited.get(ns, "fits")).hasSize(1024);
        }
    }

    @Test
    void databaseAndClientNameComeFromTheUri() {
        try (CacheBackend db3 = backend(RedisTestServers.standaloneUri() + "/3?clientName=orders-api")) {
            String ns = namespace();
            db3.set(ns, "k", bytes("in db 3"), Duration.ofMinutes(1));
            assertThat(standaloneRaw.sync().exists(bytes(ns + ":k")))
                    .as("not in db 0")
                    .isZero();
            try (StatefulRedisConnection<byte[], byte[]> db3Raw =
                    rawClients.get(0).connect(ByteArrayCodec.INSTANCE)) {
                db3Raw.sync().select(3);
                assertThat(db3Raw.sync().get(bytes(ns + ":k"))).isEqualTo(bytes("in db 3"));
            }
            @SuppressWarnings("unchecked")
            StatefulRedisConnection<byte[], byte[]> own = db3.unwrap(StatefulRedisConnection.class);
            assertThat(own.sync().clientGetname()).isEqualTo(bytes("orders-api"));
        }
    }

    @Test
    void unwrapsToLettuceTypes() {
        CacheBackend standalone = backends.get(Topology.STANDALONE);
        CacheBackend cluster = backends.get(Topology.CLUSTER);
        assertThat(standalone.unwrap(RedisBackend.class)).isSameAs(standalone);
        assertThat(standalone.unwrap(StatefulRedisConnection.class)).isNotNull();
        assertThat(standalone.unwrap(RedisClient.class)).isNotNull();
        assertThat(cluster.unwrap(StatefulRedisClusterConnection.class)).isNotNull();
        assertThatThrownBy(() -> standalone.unwrap(StatefulRedisClusterConnection.class))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cluster.unwrap(String.class)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void operationsAfterCloseFail() {
        CacheBackend backend = backend(RedisTestServers.standaloneUri());
        backend.close();
        backend.close();
        assertThatThrownBy(() -> backend.get("ns", "k"))
                .isInstanceOf(CacheBackendException.class)
                .hasMessageContaining("closed");
        assertThat(backend.setAsync("ns", "k", new byte[1], null))
                .failsWithin(TIMEOUT)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(CacheBackendException.class);
    }

    @Test
    void asyncResultsMatchSyncOnes() throws Exception {
        Function<Topology, CacheBackend> of = backends::get;
        for (Topology topology : Topology.values()) {
            CacheBackend backend = of.apply(topology);
            String ns = namespace();
            backend.setAsync(ns, "k", bytes("v"), Duration.ofMinutes(1)).get();
            assertThat(backend.getAsync(ns, "k").get()).isEqualTo(bytes("v"));
            assertThat(backend.getAsync(ns, "absent").get()).isNull();
            backend.deleteAsync(ns, "k").get();
            assertThat(backend.get(ns, "k")).isNull();
        }
    }
}
