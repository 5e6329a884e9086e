package io.cachekit.memcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.Cache;
import io.cachekit.CacheValueTooLargeException;
import io.cachekit.Cached;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.StoreUnreachableException;
import io.cachekit.memcached.internal.Generations;
import io.cachekit.memcached.internal.MemcachedKeys;
import io.cachekit.memcached.internal.StoredEntry;
import io.cachekit.spi.BackendContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.rubyeye.xmemcached.MemcachedClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What is particular to memcached, against the two servers of {@code scripts/servers/memcached.sh start}: the keys
 * it is sent, expiry times, generations and clear, values over the item limit. Each test works in namespaces of
 * its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MemcachedBackendTest {
    private List<RawMemcached> servers;
    private MemcachedBackend backend;

    @BeforeAll
    void connect() {
        servers = MemcachedTestServers.raw();
        backend = MemcachedTestServers.connect(
                MemcachedTestServers.uri(), MemcachedTestServers.context(Duration.ofSeconds(5)));
    }

    @AfterAll
    void close() {
        if (backend != null) {
            backend.close();
        }
    }

    private static String namespace() {
        return "mc-" + UUID.randomUUID().toString().substring(0, 12);
    }

    private Cache cache(String namespace) {
        return Cachekit.create(
                CachekitConfig.builder()
                        .namespace(namespace)
                        .operationTimeout(Duration.ofSeconds(5))
                        .build(),
                backend);
    }

    /** The server (of {@link #servers}) that holds {@code storedKey}; fails unless exactly one does. */
    private RawMemcached holder(String storedKey) {
        List<RawMemcached> holders =
                servers.stream().filter(s -> s.has(storedKey)).toList();
        assertThat(holders).as("servers holding %s", storedKey).hasSize(1);
        return holders.get(0);
    }

    // ---------------------------------------------------------------- keys

    @Test
    void keysWithSpacesControlCharactersAndOneKilobyteRoundTripAsValidMemcachedKeys() {
        String ns = namespace();
        Cache cache = cache(ns);
        List<String> keys = List.of(
                "plain-key",
                "with space",
                "tab\tand\nnewline\r",
                "nul\u0000byte",
                "del\u007fchar",
                "ключ",
                "k".repeat(1024),
                "k".repeat(1023) + "j",
                "x".repeat(250 - ns.length() - 1),
                "x".repeat(250 - ns.length()));
        for (int i = 0; i < keys.size(); i++) {
            cache.set(keys.get(i), "value-" + i);
        }
        for (int i = 0; i < keys.size(); i++) {
            assertThat(cache.get(keys.get(i), String.class)).as("key #%d", i).isEqualTo("value-" + i);
            String stored = MemcachedKeys.entry(ns, keys.get(i));
            assertThat(stored.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(250);
            assertThat(stored.chars()).allMatch(c -> c > 0x20 && c < 0x7f);
            assertThat(stored).isEqualTo(MemcachedKeys.entry(ns, keys.get(i))); // deterministic
            holder(stored); // exactly one server holds it, under that key
        }
        assertThat(MemcachedKeys.entry(ns, "plain-key")).isEqualTo(ns + ":plain-key");
        assertThat(MemcachedKeys.entry(ns, "x".repeat(250 - ns.length() - 1)))
                .as("a key that just fits stays readable")
                .isEqualTo(ns + ":" + "x".repeat(250 - ns.length() - 1));
        assertThat(MemcachedKeys.entry(ns, "x".repeat(250 - ns.length())))
                .as("one byte more is a digest")
                .startsWith(ns + "#")
                .hasSize(ns.length() + 1 + 43);
        assertThat(MemcachedKeys.entry(ns, "with space")).startsWith(ns + "#");
        assertThat(MemcachedKeys.entry(ns, "k".repeat(1024)))
                .isNotEqualTo(MemcachedKeys.entry(ns, "k".repeat(1023) + "j"));
    }

    // ---------------------------------------------------------------- values over the limit

    /** A service whose results are cached. */
    interface Reports {
        @Cached(ttl = "10m")
        byte[] report(String name);
    }

    @Test
    void aValueOverTheItemLimitIsAClearErrorOnTheDirectApiAndACountedSkipForMethodCaching() {
        String ns = namespace();
        Cache cache = cache(ns);
        byte[] big = new byte[MemcachedBackendOptions.DEFAULT_MAX_VALUE_BYTES + 1];
        cache.set("big", "before");
        assertThatThrownBy(() -> cache.set("big", big))
                .isInstanceOf(CacheValueTooLargeException.class)
                .hasMessageContaining("over the limit")
                .hasMessageContaining("maxValueBytes");
        assertThat(cache.get("big", String.class)).as("nothing was written").isEqualTo("before");
        assertThatThrownBy(() -> cache.setMany(java.util.Map.of("a", "small", "b", big), Duration.ofMinutes(1)))
                .isInstanceOf(CacheValueTooLargeException.class);
        assertThatThrownBy(() -> backend.setIfAbsent(ns, "absent", big, null))
                .isInstanceOf(CacheValueTooLargeException.class);
        assertThat(cache.has("absent")).isFalse();
        assertThat(cache.has("a"))
                .as("a batch with a value over the limit writes nothing")
                .isFalse();

        AtomicInteger calls = new AtomicInteger();
        Reports reports = cache.proxy(Reports.class, name -> {
            calls.incrementAndGet();
            return new byte[MemcachedBackendOptions.DEFAULT_MAX_VALUE_BYTES + 100];
        });
        long errorsBefore = cache.stats().errors();
        assertThat(reports.report("q1")).hasSize(MemcachedBackendOptions.DEFAULT_MAX_VALUE_BYTES + 100);
        assertThat(reports.report("q1")).hasSize(MemcachedBackendOptions.DEFAULT_MAX_VALUE_BYTES + 100);
        assertThat(calls).as("never cached: the real method runs each time").hasValue(2);
        assertThat(cache.stats().errors()).as("each skipped write is counted").isEqualTo(errorsBefore + 2);

        // The largest value the default limit allows is stored and read back.
        byte[] largest = new byte[MemcachedBackendOptions.DEFAULT_MAX_VALUE_BYTES - 12];
        new java.util.Random(1).nextBytes(largest);
        cache.set("largest", largest);
        assertThat(cache.get("largest", byte[].class)).isEqualTo(largest);
    }

    // ---------------------------------------------------------------- TTL

    @Test
    void aThirtyOneDayTtlIsSentAsAnAbsoluteTimeAndTheEntryStaysReadable() {
        String ns = namespace();
        Cache cache = cache(ns);
        cache.set("month", "long-lived", Duration.ofDays(31));
        cache.set("hour", "short-lived", Duration.ofHours(1));
        cache.set("forever", "never expires", Cache.NO_EXPIRY);
        assertThat(cache.get("month", String.class)).isEqualTo("long-lived");

        long month = Duration.ofDays(31).toSeconds();
        Long monthLeft = holder(MemcachedKeys.entry(ns, "month")).ttlSeconds(MemcachedKeys.entry(ns, "month"));
        assertThat(monthLeft)
                .as("memcached holds the 31-day entry for 31 days (an absolute time, not 'expired at once')")
                .isBetween(month - 60, month + 5); // memcached's clock ticks once a second
        Long hourLeft = holder(MemcachedKeys.entry(ns, "hour")).ttlSeconds(MemcachedKeys.entry(ns, "hour"));
        assertThat(hourLeft).isBetween(3600L - 60, 3600L);
        assertThat(holder(MemcachedKeys.entry(ns, "forever")).ttlSeconds(MemcachedKeys.entry(ns, "forever")))
                .isEqualTo(-1L);
    }

    @Test
    void expiryTimesAreWholeSecondsRoundedUpAndAbsoluteBeyondThirtyDays() {
        long now = 1_800_000_000_500L; // a Unix time in milliseconds, half a second past a whole second
        assertThat(MemcachedKeys.expiry(null, now)).isZero();
        assertThat(MemcachedKeys.expiry(Duration.ofMillis(1), now))
                .as("never 0, which means never")
                .isEqualTo(1);
        assertThat(MemcachedKeys.expiry(Duration.ofMillis(1500), now)).isEqualTo(2);
        assertThat(MemcachedKeys.expiry(Duration.ofSeconds(60), now)).isEqualTo(60);
        assertThat(MemcachedKeys.expiry(Duration.ofDays(30), now)).isEqualTo(2_592_000);
        assertThat(MemcachedKeys.expiry(Duration.ofDays(30).plusSeconds(1), now))
                .as("past 30 days: a Unix time, rounded up")
                .isEqualTo(1_800_000_001 + 2_592_001);
        assertThat(MemcachedKeys.expiry(Duration.ofDays(31), now)).isEqualTo(1_800_000_001 + 2_678_400);
        assertThat(MemcachedKeys.expiry(Duration.ofDays(365 * 100), now))
                .as("past memcached's 32-bit time: no expiry in memcached, the envelope still has it")
                .isZero();
        assertThatThrownBy(() -> MemcachedKeys.expiry(Duration.ZERO, now)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MemcachedKeys.expiry(Duration.ofSeconds(-1), now))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSubSecondTtlIsStoredForOneSecondNotForever() {
        String ns = namespace();
        backend.set(ns, "brief", "v".getBytes(StandardCharsets.UTF_8), Duration.ofMillis(200));
        String stored = MemcachedKeys.entry(ns, "brief");
        Long left = servers.stream()
                .filter(s -> s.has(stored))
                .map(s -> s.ttlSeconds(stored))
                .findFirst()
                .orElse(0L); // already expired is fine too
        assertThat(left).as("1 second at most, never -1 (no expiry)").isBetween(0L, 1L);
    }

    // ---------------------------------------------------------------- clear and generations

    @Test
    void clearOfOneNamespaceLeavesAnotherUntouchedOnBothServers() {
        String cleared = namespace();
        String kept = namespace();
        Cache a = cache(cleared);
        Cache b = cache(kept);
        int count = 40;
        for (int i = 0; i < count; i++) {
            a.set("k" + i, "a" + i);
            b.set("k" + i, "b" + i);
        }
        int[] keptPerServer = new int[servers.size()];
        for (int i = 0; i < count; i++) {
            RawMemcached server = holder(MemcachedKeys.entry(kept, "k" + i));
            keptPerServer[servers.indexOf(server)]++;
        }
        assertThat(java.util.Arrays.stream(keptPerServer).boxed().toList())
                .as("the kept namespace has entries on every server")
                .allMatch(n -> n > 0);

        a.clear();

        for (int i = 0; i < count; i++) {
            assertThat(a.get("k" + i, String.class)).isNull();
            assertThat(b.get("k" + i, String.class)).isEqualTo("b" + i);
        }
        assertThat(a.getMany(List.of("k0", "k1", "k2"), String.class)).isEmpty();
        a.set("k0", "after");
        assertThat(a.get("k0", String.class)).isEqualTo("after");
        // No flush, no enumeration: the old items are still in memcached, but never read again.
        assertThat(servers.stream().anyMatch(s -> s.has(MemcachedKeys.entry(cleared, "k1"))))
                .isTrue();
    }

    @Test
    void aClearByAnotherProcessHidesEntriesFromAProcessThatSawTheOldGeneration() {
        String ns = namespace();
        try (MemcachedBackend other = MemcachedTestServers.connect(
                MemcachedTestServers.uri(), MemcachedTestServers.context(Duration.ofSeconds(5)))) {
            backend.set(ns, "k", bytes("old"), null);
            assertThat(backend.get(ns, "k")).isEqualTo(bytes("old")); // this process now knows the generation
            other.clear(ns);
            assertThat(backend.get(ns, "k")).as("read after the other's clear").isNull();
            assertThat(backend.getMany(ns, List.of("k"))).isEmpty();
        }
    }

    @Test
    void aWriteThatGotItsGenerationBeforeAClearAndLandsAfterItIsNeverRead() {
        String ns = namespace();
        try (MemcachedBackend other = MemcachedTestServers.connect(
                MemcachedTestServers.uri(), MemcachedTestServers.context(Duration.ofSeconds(5)))) {
            backend.set(ns, "k", bytes("before"), null); // the generation is now known to this process
            other.clear(ns); // returns before the write below lands
            backend.set(ns, "k", bytes("raced"), null); // may reuse the generation it saw before the clear
            byte[] seen = other.get(ns, "k");
            assertThat(seen)
                    .as("never the entry from before the clear; the raced write is a miss or, "
                            + "with the new generation, visible")
                    .satisfiesAnyOf(
                            v -> assertThat(v).isNull(), v -> assertThat(v).isEqualTo(bytes("raced")));
            assertThat(backend.get(ns, "k")).isEqualTo(seen);
        }
    }

    @Test
    void anEvictedGenerationMakesOldEntriesMissesAndIsRecreatedWithAFreshValue() {
        String ns = namespace();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            keys.add("k" + i);
            backend.set(ns, "k" + i, bytes("v" + i), null);
        }
        String[] generationKeys = new String[servers.size()];
        for (int i = 0; i < 20; i++) {
            String stored = MemcachedKeys.entry(ns, "k" + i);
            int server = backend.serverOf(stored);
            assertThat(servers.get(server).has(stored))
                    .as("serverOf names the holder")
                    .isTrue();
            generationKeys[server] = generationKeyFor(ns, server);
            assertThat(servers.get(server).has(generationKeys[server]))
                    .as("the generation lives beside the entry")
                    .isTrue();
        }
        for (int s = 0; s < servers.size(); s++) {
            servers.get(s).delete(generationKeyFor(ns, s)); // as LRU eviction would
        }
        // Read by a process that does not reuse generations: one that does reads these entries (written before
        // the eviction, never cleared) until its reuse time has passed.
        try (MemcachedBackend reader = MemcachedTestServers.connect(
                MemcachedTestServers.uri() + "?generationReuse=0s",
                MemcachedTestServers.context(Duration.ofSeconds(5)))) {
            for (String key : keys) {
                assertThat(reader.get(ns, key))
                        .as("%s without its generation", key)
                        .isNull();
            }
        }
        // Writes recreate the counter (atomically, with a random value) and are read again.
        try (MemcachedBackend fresh = MemcachedTestServers.connect(
                MemcachedTestServers.uri(), MemcachedTestServers.context(Duration.ofSeconds(5)))) {
            fresh.set(ns, "k0", bytes("new"), null);
            assertThat(fresh.get(ns, "k0")).isEqualTo(bytes("new"));
            assertThat(fresh.get(ns, "k1")).as("still from the old generation").isNull();
        }
    }

    private String generationKeyFor(String ns, int server) {
        for (int n = 0; ; n++) {
            String candidate = MemcachedKeys.generationKey(ns, n);
            if (backend.serverOf(candidate) == server) {
                return candidate;
            }
        }
    }

    @Test
    void generationsAreParsedStrictlyAndFreshOnesAreRandom() {
        assertThat(Generations.parse(bytes("12345"))).isEqualTo(12345L);
        assertThat(Generations.parse(bytes("12345   ")))
                .as("memcached pads a shrunk number")
                .isEqualTo(12345L);
        assertThat(Generations.parse(bytes("12a"))).isNull();
        assertThat(Generations.parse(bytes(""))).isNull();
        assertThat(Generations.parse(null)).isNull();
        assertThat(Generations.parse(bytes("99999999999999999999"))).isNull();
        long a = Generations.fresh();
        long b = Generations.fresh();
        assertThat(a).isNotEqualTo(b).isBetween(1L, 1L << 62);
    }

    @Test
    void bytesAnotherClientWroteAreACountedCorruptMissAndUnwrappedEnvelopesAreMisses() {
        String ns = namespace();
        Cache cache = cache(ns);
        cache.set("k", "v");
        String foreign = MemcachedKeys.entry(ns, "foreign");
        RawMemcached server = servers.get(backend.serverOf(foreign));
        server.set(foreign, bytes("written by someone else"));
        assertThat(cache.get("foreign", String.class)).isNull();
        assertThat(cache.stats().corruptEntries()).isEqualTo(1);
        assertThat(server.has(foreign)).as("the corrupt entry is deleted").isFalse();

        byte[] envelopeWithoutHeader = {(byte) 0xCA, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'x'};
        assertThat(StoredEntry.read(envelopeWithoutHeader, 7L))
                .as("cannot be checked against the generation")
                .isNull();
        assertThat(StoredEntry.read(StoredEntry.wrap(7L, bytes("v")), 7L)).isEqualTo(bytes("v"));
        assertThat(StoredEntry.read(StoredEntry.wrap(7L, bytes("v")), 8L)).isNull();
        assertThat(StoredEntry.read(StoredEntry.wrap(7L, bytes("v")), null)).isNull();
        assertThat(cache.get("k", String.class)).isEqualTo("v");
    }

    // ---------------------------------------------------------------- setIfAbsent

    @Test
    void setIfAbsentWritesOnceAmongConcurrentCallersOfTwoProcesses() throws Exception {
        String ns = namespace();
        int callers = 16;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try (MemcachedBackend other = MemcachedTestServers.connect(
                MemcachedTestServers.uri(), MemcachedTestServers.context(Duration.ofSeconds(5)))) {
            for (int round = 0; round < 20; round++) {
                String key = "contended-" + round;
                CyclicBarrier start = new CyclicBarrier(callers);
                List<Future<byte[]>> answers = new ArrayList<>();
                for (int i = 0; i < callers; i++) {
                    MemcachedBackend process = i % 2 == 0 ? backend : other;
                    byte[] value = bytes("v" + i);
                    answers.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return process.setIfAbsent(ns, key, value, Duration.ofMinutes(5));
                    }));
                }
                List<byte[]> existing = new ArrayList<>();
                int written = 0;
                for (Future<byte[]> answer : answers) {
                    byte[] bytes = answer.get(30, TimeUnit.SECONDS);
                    if (bytes == null) {
                        written++;
                    } else {
                        existing.add(bytes);
                    }
                }
                assertThat(written).as("writers of %s", key).isEqualTo(1);
                byte[] stored = backend.get(ns, key);
                assertThat(existing).as("the others get the winner's bytes").allSatisfy(bytes -> assertThat(bytes)
                        .isEqualTo(stored));
                assertThat(other.get(ns, key)).isEqualTo(stored);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void setIfAbsentTreatsAClearedEntryAsAbsentAndReplacesItOnce() throws Exception {
        String ns = namespace();
        try (MemcachedBackend other = MemcachedTestServers.connect(
                MemcachedTestServers.uri(), MemcachedTestServers.context(Duration.ofSeconds(5)))) {
            backend.set(ns, "k", bytes("before the clear"), null);
            assertThat(backend.setIfAbsent(ns, "k", bytes("refused"), null)).isEqualTo(bytes("before the clear"));
            other.clear(ns);
            String stored = MemcachedKeys.entry(ns, "k");
            assertThat(holder(stored).has(stored))
                    .as("the cleared item is still in memcached")
                    .isTrue();

            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                CyclicBarrier start = new CyclicBarrier(8);
                List<Future<byte[]>> answers = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    MemcachedBackend process = i % 2 == 0 ? backend : other;
                    byte[] value = bytes("after-" + i);
                    answers.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return process.setIfAbsent(ns, "k", value, null);
                    }));
                }
                int written = 0;
                for (Future<byte[]> answer : answers) {
                    byte[] bytes = answer.get(30, TimeUnit.SECONDS);
                    if (bytes == null) {
                        written++;
                    } else {
                        assertThat(new String(bytes, StandardCharsets.UTF_8)).startsWith("after-");
                    }
                }
                assertThat(written).as("one caller replaces the cleared entry").isEqualTo(1);
            } finally {
                pool.shutdownNow();
            }
            assertThat(new String(backend.get(ns, "k"), StandardCharsets.UTF_8)).startsWith("after-");
            assertThat(other.get(ns, "k")).isEqualTo(backend.get(ns, "k"));
        }
    }

    @Test
    void setIfAbsentWritesOverAnEntryWhoseGenerationWasEvictedAndRecreatesIt() {
        String ns = namespace();
        backend.set(ns, "k", bytes("old"), null);
        int server = backend.serverOf(MemcachedKeys.entry(ns, "k"));
        servers.get(server).delete(generationKeyFor(ns, server)); // as LRU eviction would
        assertThat(backend.setIfAbsent(ns, "k", bytes("new"), null)).isNull();
        assertThat(backend.get(ns, "k")).isEqualTo(bytes("new"));
        assertThat(servers.get(server).has(generationKeyFor(ns, server))).isTrue();
        assertThat(backend.setIfAbsent(ns, "k", bytes("late"), null)).isEqualTo(bytes("new"));
    }

    @Test
    void setIfAbsentWritesTheTtlAndAnEntryMemcachedExpiredIsAbsent() {
        String ns = namespace();
        assertThat(backend.setIfAbsent(ns, "hour", bytes("v"), Duration.ofHours(1)))
                .isNull();
        String hour = MemcachedKeys.entry(ns, "hour");
        assertThat(holder(hour).ttlSeconds(hour)).isBetween(3600L - 60, 3600L);

        assertThat(backend.setIfAbsent(ns, "brief", bytes("first"), Duration.ofSeconds(1)))
                .isNull();
        Awaitility.await("memcached expired the entry")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> backend.get(ns, "brief") == null);
        assertThat(backend.setIfAbsent(ns, "brief", bytes("second"), null)).isNull();
        assertThat(backend.get(ns, "brief")).isEqualTo(bytes("second"));
    }

    @Test
    void setIfAbsentOverBytesAnotherClientWroteCountsThemCorruptAndWrites() {
        String ns = namespace();
        Cache cache = cache(ns);
        String foreign = MemcachedKeys.entry(ns, "foreign");
        servers.get(backend.serverOf(foreign)).set(foreign, bytes("written by someone else"));
        assertThat(backend.setIfAbsent(ns, "foreign", bytes("refused"), null))
                .as("handed to Cachekit as they are, as get does")
                .isEqualTo(bytes("written by someone else"));
        assertThat(cache.setIfAbsent("foreign", "mine", null)).isTrue();
        assertThat(cache.stats().corruptEntries()).isEqualTo(1);
        assertThat(cache.get("foreign", String.class)).isEqualTo("mine");
        assertThat(cache.setIfAbsent("foreign", "late", null)).isFalse();
    }

    @Test
    void setIfAbsentAsyncRunsOnTheExecutorNotOnTheCaller() throws Exception {
        String ns = namespace();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        try (MemcachedBackend async = MemcachedTestServers.connect(
                MemcachedTestServers.uri(),
                new BackendContext(Duration.ofSeconds(5), java.time.Clock.systemUTC(), executor))) {
            executor.execute(() -> {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            CompletableFuture<byte[]> first = async.setIfAbsentAsync(ns, "k", bytes("one"), null);
            CompletableFuture<byte[]> second = async.setIfAbsentAsync(ns, "k", bytes("two"), null);
            assertThat(first).as("returned before the executor ran anything").isNotDone();
            assertThat(backend.get(ns, "k")).isNull();
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isNull();
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(bytes("one"));
        } finally {
            release.countDown();
            executor.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- creation

    @Test
    void noReachableServerAtCreationIsAStoreUnreachableException() {
        assertThatThrownBy(() -> new MemcachedBackend(
                        MemcachedBackendOptions.fromUri(java.net.URI.create("memcached://127.0.0.1:1,127.0.0.1:2")),
                        MemcachedTestServers.context(Duration.ofSeconds(1))))
                .isInstanceOf(StoreUnreachableException.class)
                .hasMessageContaining("127.0.0.1:1,127.0.0.1:2");
    }

    @Test
    void unwrapsToTheXmemcachedClient() {
        assertThat(backend.unwrap(MemcachedClient.class)).isNotNull();
        assertThat(backend.unwrap(MemcachedBackend.class)).isSameAs(backend);
        assertThat(backend.name()).isEqualTo("memcached");
        assertThat(backend.toString()).contains("11311");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
