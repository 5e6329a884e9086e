package io.cachekit.memcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.cachekit.BackendStatus;
import io.cachekit.Cache;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.CacheValueTooLargeException;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.StoreUnreachableException;
import io.cachekit.memcached.internal.MemcachedKeys;
import io.cachekit.tck.CacheBackendFailureContract;
import io.cachekit.tck.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The failure contract over two memcached servers of this test's own (ports 11313 and 11314 unless {@code
 * cachekit.memcached.failure.ports} says otherwise), plus what is particular to several servers: one of them
 * killed, paused or back again.
 */
class MemcachedBackendFailureTest extends CacheBackendFailureContract {
    private static final int[] PORTS = Arrays.stream(
                    System.getProperty("cachekit.memcached.failure.ports", "11313,11314,11315")
                            .split(","))
            .mapToInt(p -> Integer.parseInt(p.trim()))
            .toArray();
    private static final String SECRET = "s3cr3t-Pw";

    private Path dir;
    private ServerProcess first;
    private ServerProcess second;

    @BeforeAll
    void startServers() throws IOException {
        dir = Files.createTempDirectory("cachekit-memcached-failure");
        first = MemcachedProcess.start(PORTS[0], dir);
        second = MemcachedProcess.start(PORTS[1], dir);
    }

    @AfterAll
    void stopServers() {
        for (ServerProcess server : new ServerProcess[] {first, second}) {
            if (server != null) {
                server.close();
            }
        }
    }

    /**
     * The two servers, through {@link TrackingMemcachedProvider}: ordinary memcached backends that {@link
     * #startStore()} can wait for.
     */
    @Override
    protected String storeUri() {
        return TrackingMemcachedProvider.SCHEME + "://127.0.0.1:" + PORTS[0] + ",127.0.0.1:" + PORTS[1];
    }

    @Override
    protected void stopStore() {
        first.kill();
        second.kill();
    }

    /**
     * Starts both servers and waits until every backend of this test has reconnected to both: xmemcached
     * reconnects each server on its own schedule, and the failure contract's check that the cache uses the store
     * again probes a single key, so a single server.
     */
    @Override
    protected void startStore() {
        first.start();
        second.start();
        Awaitility.await("every backend reconnected to both servers")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(TrackingMemcachedProvider::allConnected);
    }

    @Override
    protected void pauseStore() {
        first.pause();
        second.pause();
    }

    @Override
    protected void resumeStore() {
        first.resume();
        second.resume();
    }

    /**
     * A second, for the contract and this class's own tests: the contract's half second is tight on a loaded
     * two-core machine (a first write once timed out there while other builds ran). Dead servers fail at once and
     * paused ones still time out, only later.
     */
    @Override
    protected Duration operationTimeout() {
        return Duration.ofSeconds(1);
    }

    @Override
    protected int oversizedValueBytes() {
        return 2 * 1024 * 1024;
    }

    private Cache cache(String namespace, Duration timeout, String options) {
        return Cachekit.fromUri(storeUri() + "?namespace=" + namespace + "&timeout=" + timeout.toMillis() + "ms"
                + (options.isEmpty() ? "" : "&" + options));
    }

    /** Keys of {@code namespace} that the ring places on the first server, and on the second. */
    private static List<List<String>> keysByServer(Cache cache, int count) {
        MemcachedBackend backend = cache.unwrap(MemcachedBackend.class);
        List<List<String>> byServer = List.of(new ArrayList<>(), new ArrayList<>());
        for (int i = 0; byServer.get(0).size() < count || byServer.get(1).size() < count; i++) {
            String key = "key-" + i;
            List<String> keys = byServer.get(backend.serverOf(MemcachedKeys.entry(cache.namespace(), key)));
            if (keys.size() < count) {
                keys.add(key);
            }
        }
        return byServer;
    }

    /**
     * The backend's own isolation of a dead server, without the circuit breaker in front of it: with the breaker
     * (the default), the dead server's failures soon open it for every key, which the next test pins down.
     */
    @Test
    void oneServerKilledTheOtherKeepsServingItsKeysAndTheDeadOnesFailOpenThenItIsUsedAgain() {
        try (Cache cache = cache("one-down", operationTimeout(), "breaker=false")) {
            List<List<String>> keys = keysByServer(cache, 5);
            List<String> onFirst = keys.get(0);
            List<String> onSecond = keys.get(1);
            AtomicInteger calls = new AtomicInteger();
            Quotes quotes = cache.proxy(Quotes.class, symbol -> {
                calls.incrementAndGet();
                return "quote of " + symbol;
            });
            for (String key : onFirst) {
                cache.set(key, "v-" + key);
            }
            for (String key : onSecond) {
                cache.set(key, "v-" + key);
            }
            List<String> symbols = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                symbols.add("sym" + i);
                quotes.quote("sym" + i);
            }
            assertThat(calls).hasValue(20);

            first.kill();

            for (String key : onSecond) {
                assertThat(cache.get(key, String.class))
                        .as("%s on the live server", key)
                        .isEqualTo("v-" + key);
            }
            for (String key : onFirst) {
                assertThatThrownBy(() -> cache.get(key, String.class))
                        .as("%s on the dead server", key)
                        .isInstanceOf(CacheBackendException.class)
                        .hasMessageContaining("memcached");
            }
            symbols.forEach(quotes::quote);
            int deadSymbols = calls.get() - 20;
            assertThat(deadSymbols)
                    .as("the dead server's symbols run the real method, the live one's are hits")
                    .isBetween(1, 19);
            symbols.forEach(quotes::quote);
            assertThat(calls)
                    .as("the dead server's symbols are never cached while it is down")
                    .hasValue(20 + 2 * deadSymbols);
            assertThat(cache.stats().errors()).isGreaterThanOrEqualTo(onFirst.size() + 2L * deadSymbols);

            first.start();
            Awaitility.await("the restarted server is used again")
                    .atMost(Duration.ofSeconds(30))
                    .ignoreExceptionsInstanceOf(CacheBackendException.class)
                    .until(() -> !cache.has(onFirst.get(0)));
            int before = calls.get();
            symbols.forEach(quotes::quote);
            symbols.forEach(quotes::quote);
            assertThat(calls)
                    .as("the restarted (empty) server's symbols load once, then hit; the others still hit")
                    .hasValue(before + deadSymbols);
            for (String key : onFirst) {
                cache.set(key, "again-" + key);
                assertThat(cache.get(key, String.class)).isEqualTo("again-" + key);
            }
        }
    }

    /**
     * With the circuit breaker (the default): Cachekit has one breaker per backend, not per server, so once the dead
     * server's keys make half of the recent calls fail, it opens, and the live server's keys fail at once too (the
     * real method answers for every symbol) until the cool-off ends and probe calls find the store usable.
     */
    @Test
    void oneServerOfTwoKilledOpensTheBreakerForEveryKeyUntilTheServerIsBack() {
        try (Cache cache = cache("one-down-breaker", operationTimeout(), "")) {
            List<List<String>> keys = keysByServer(cache, 5);
            List<String> onFirst = keys.get(0);
            List<String> onSecond = keys.get(1);
            AtomicInteger calls = new AtomicInteger();
            Quotes quotes = cache.proxy(Quotes.class, symbol -> {
                calls.incrementAndGet();
                return "quote of " + symbol;
            });
            for (List<String> serverKeys : keys) {
                for (String key : serverKeys) {
                    cache.set(key, "v-" + key);
                }
            }
            List<String> symbols = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                symbols.add("sym" + i);
                quotes.quote("sym" + i);
            }
            assertThat(calls).hasValue(20);

            first.kill();

            // The breaker's window still holds the successes from before: at first only the dead server's keys fail.
            for (String key : onSecond) {
                assertThat(cache.get(key, String.class)).isEqualTo("v-" + key);
            }
            for (String key : onFirst) {
                assertThatThrownBy(() -> cache.get(key, String.class))
                        .isInstanceOf(CacheBackendException.class)
                        .hasMessageContaining("memcached");
            }
            assertThat(cache.backendStatus()).isEqualTo(BackendStatus.UP);
            int failedBeforeOpen = 0;
            while (cache.backendStatus() != BackendStatus.OPEN) {
                assertThat(failedBeforeOpen)
                        .as("failures of the dead server's keys before the breaker opens")
                        .isLessThan(20);
                assertThatThrownBy(() -> cache.get(onFirst.get(0), String.class))
                        .isInstanceOf(CacheBackendException.class);
                failedBeforeOpen++;
            }

            for (String key : onSecond) {
                assertThatThrownBy(() -> cache.get(key, String.class))
                        .as("%s on the live server, while the breaker is open", key)
                        .isInstanceOf(CacheBackendException.class)
                        .hasMessageContaining("circuit breaker open");
            }
            int beforeOpenRound = calls.get();
            symbols.forEach(quotes::quote);
            assertThat(calls)
                    .as("while the breaker is open every symbol runs the real method, the live server's too")
                    .hasValue(beforeOpenRound + 20);

            first.start();
            Awaitility.await("reconnected to the restarted server")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .until(TrackingMemcachedProvider::allConnected);
            Awaitility.await("the breaker lets calls through again")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .ignoreExceptionsInstanceOf(CacheBackendException.class)
                    .until(() -> !cache.has(onFirst.get(0)) && cache.backendStatus() == BackendStatus.UP);
            int before = calls.get();
            symbols.forEach(quotes::quote);
            int deadSymbols = calls.get() - before;
            assertThat(deadSymbols)
                    .as("the restarted (empty) server's symbols load once; the live server kept the others")
                    .isBetween(1, 19);
            symbols.forEach(quotes::quote);
            assertThat(calls).as("then every symbol hits").hasValue(before + deadSymbols);
            // The client may still be moving its sessions after the reconnect: a read may time out meanwhile
            // (1 s here), never answer another value.
            for (String key : onSecond) {
                Awaitility.await("the live server's " + key + " after the restart")
                        .atMost(Duration.ofSeconds(30))
                        .ignoreExceptionsInstanceOf(CacheTimeoutException.class)
                        .untilAsserted(
                                () -> assertThat(cache.get(key, String.class)).isEqualTo("v-" + key));
            }
        }
    }

    @Test
    void aPausedServerEndsItsCallsWithATimeoutWhileTheOtherAnswersAndRecoversAfterwards() {
        try (Cache cache = cache("paused", operationTimeout(), "")) {
            List<List<String>> keys = keysByServer(cache, 2);
            String onFirst = keys.get(0).get(0);
            String onSecond = keys.get(1).get(0);
            cache.set(onFirst, "one");
            cache.set(onSecond, "two");

            first.pause();

            assertThatThrownBy(() -> cache.get(onFirst, String.class)).isInstanceOf(CacheTimeoutException.class);
            assertThat(cache.async().get(onFirst, String.class))
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(CacheTimeoutException.class);
            assertThatThrownBy(() -> cache.set(onFirst, "lost")).isInstanceOf(CacheTimeoutException.class);
            assertThat(cache.get(onSecond, String.class)).isEqualTo("two");

            first.resume();
            // The timed-out commands were cancelled: their late answers are dropped, later calls get their own.
            Awaitility.await("answers again")
                    .atMost(Duration.ofSeconds(10))
                    .ignoreExceptionsInstanceOf(CacheBackendException.class)
                    .until(() -> cache.get(onSecond, String.class) != null && cache.has(onFirst));
            // As after a restart, the client may still be settling its sessions: a call may time out meanwhile
            // (1 s here), never answer another value. Each round is retried as a whole after a timeout.
            for (int i = 0; i < 20; i++) {
                String value = "round-" + i;
                Awaitility.await("round " + i + " after the resume")
                        .atMost(Duration.ofSeconds(30))
                        .ignoreExceptionsInstanceOf(CacheTimeoutException.class)
                        .untilAsserted(() -> {
                            cache.set(onFirst, value);
                            assertThat(cache.get(onFirst, String.class)).isEqualTo(value);
                            assertThat(cache.get(onSecond, String.class)).isEqualTo("two");
                        });
            }
        }
    }

    @Test
    void clearWithOneServerDownFailsNamingItAndStillClearsTheOther() {
        try (Cache cache = cache("clear-down", operationTimeout(), "")) {
            List<List<String>> keys = keysByServer(cache, 3);
            for (List<String> serverKeys : keys) {
                for (String key : serverKeys) {
                    cache.set(key, "v");
                }
            }
            second.kill();
            assertThatThrownBy(cache::clear)
                    .isInstanceOf(CacheBackendException.class)
                    .hasMessageContaining("127.0.0.1:" + PORTS[1])
                    .hasMessageNotContaining("127.0.0.1:" + PORTS[0] + " (");
            for (String key : keys.get(0)) {
                assertThat(cache.get(key, String.class))
                        .as("%s was cleared", key)
                        .isNull();
            }
            second.start();
            Awaitility.await("reconnected")
                    .atMost(Duration.ofSeconds(30))
                    .ignoreExceptionsInstanceOf(CacheBackendException.class)
                    .until(() -> {
                        cache.clear();
                        return true;
                    });
            for (List<String> serverKeys : keys) {
                for (String key : serverKeys) {
                    assertThat(cache.get(key, String.class)).isNull();
                }
            }
        }
    }

    @Test
    void aValueOverTheServersOwnLimitIsAnErrorAndTheConnectionStaysUsable() {
        // The backend allows 4 MiB, the servers run with memcached's default 1 MiB items.
        try (Cache cache = cache("server-limit", Duration.ofSeconds(2), "maxValueBytes=4193280")) {
            cache.set("big", "before");
            byte[] big = new byte[2 * 1024 * 1024];
            assertThatThrownBy(() -> cache.set("big", big))
                    .isInstanceOf(CacheValueTooLargeException.class)
                    .hasMessageContaining("memcached set")
                    .hasMessageContaining("refused the value as too large");
            assertThat(cache.get("big", String.class))
                    .as("the old value stays or the entry is gone; never a part of the new one")
                    .isIn("before", null);
            assertThatThrownBy(() -> cache.setMany(java.util.Map.of("a", "x", "b", big), Duration.ofMinutes(1)))
                    .isInstanceOf(CacheValueTooLargeException.class);
            assertThatThrownBy(() -> cache.setIfAbsent("absent", big, null))
                    .isInstanceOf(CacheValueTooLargeException.class);
            assertThat(cache.has("absent")).isFalse();
            cache.set("after", "fine");
            assertThat(cache.get("after", String.class)).isEqualTo("fine");
        }
    }

    /** With a server run with a larger item size and maxValueBytes set to match, values over 1 MiB are stored. */
    @Test
    void aServerWithALargerItemSizeStoresValuesOverOneMebibyte() {
        try (ServerProcess large = MemcachedProcess.start(PORTS[2], dir, "-I", "4m");
                Cache cache = Cachekit.fromUri("memcached://127.0.0.1:" + large.port() + "?namespace=large&timeout="
                        + operationTimeout().toMillis() + "ms&maxValueBytes=4193280")) {
            byte[] value = new byte[3 * 1024 * 1024];
            new java.util.Random(3).nextBytes(value);
            cache.set("big", value);
            assertThat(cache.get("big", byte[].class)).isEqualTo(value);
            assertThat(cache.setIfAbsent("big-once", value, null)).isTrue();
            assertThat(cache.setIfAbsent("big-once", new byte[1], null)).isFalse();
            assertThat(cache.get("big-once", byte[].class)).isEqualTo(value);
            assertThatThrownBy(() -> cache.set("too-big", new byte[4_193_281]))
                    .isInstanceOf(CacheValueTooLargeException.class)
                    .hasMessageContaining("maxValueBytes");
        }
    }

    /** A value over a limit says nothing of the store's health: however many there are, the breaker stays closed. */
    @Test
    void valuesOverTheLimitsNeverOpenTheBreaker() {
        try (Cache cache = cache("too-large", operationTimeout(), "maxValueBytes=4193280")) {
            byte[] overMaxValueBytes = new byte[4_193_281];
            byte[] overTheServersItemSize = new byte[2 * 1024 * 1024];
            for (int i = 0; i < 12; i++) {
                assertThatThrownBy(() -> cache.set("a", overMaxValueBytes))
                        .isInstanceOf(CacheValueTooLargeException.class)
                        .hasMessageContaining("maxValueBytes");
                assertThatThrownBy(() -> cache.set("b", overTheServersItemSize))
                        .isInstanceOf(CacheValueTooLargeException.class);
            }
            assertThat(cache.backendStatus()).isEqualTo(BackendStatus.UP);
            cache.set("after", "fine");
            assertThat(cache.get("after", String.class)).isEqualTo("fine");
        }
    }

    @Test
    void credentialsNeverAppearInMessages() {
        String unreachableUri = "memcached://app:" + SECRET + "@127.0.0.1:1";
        // Creation does not wait for an unreachable store: the cache connects in the background, and meanwhile its
        // calls fail at once with a StoreUnreachableException that carries the last connection error.
        try (Cache connecting =
                Cachekit.create(CachekitConfig.builder().backend(unreachableUri).build())) {
            assertThat(connecting.backendStatus()).isEqualTo(BackendStatus.CONNECTING);
            assertThat(connecting.toString()).doesNotContain(SECRET);
            assertThat(connecting.config().toString()).doesNotContain(SECRET);
            Throwable unreachable = catchThrowable(() -> connecting.get("k", String.class));
            assertThat(unreachable).isInstanceOf(StoreUnreachableException.class);
            assertThat(unreachable.getCause())
                    .as("the connection error of the first attempt")
                    .isInstanceOf(StoreUnreachableException.class)
                    .hasMessageContaining("127.0.0.1:1");
            assertNoSecret(unreachable);
        }
        // Creation that waits for the store (connect=eager) throws that error itself.
        Throwable eager = catchThrowable(() -> Cachekit.create(CachekitConfig.builder()
                .backend(unreachableUri)
                .connectEagerly(true)
                .build()));
        assertThat(eager).isInstanceOf(StoreUnreachableException.class);
        assertNoSecret(eager);

        // These servers run without SASL: whatever xmemcached makes of the credentials, no message shows them.
        String uri = "memcached://app:" + SECRET + "@127.0.0.1:" + PORTS[0] + ",127.0.0.1:" + PORTS[1];
        Throwable created = catchThrowable(() -> {
            try (Cache cache = Cachekit.fromUri(uri + "?namespace=secret&timeout=500ms")) {
                assertThat(cache.toString()).doesNotContain(SECRET);
                assertThat(cache.config().toString()).doesNotContain(SECRET);
                assertThat(cache.unwrap(MemcachedBackend.class).toString()).doesNotContain(SECRET);
                assertThat(cache.unwrap(MemcachedBackend.class).options().toString())
                        .doesNotContain(SECRET);
                first.kill();
                second.kill();
                Throwable down = catchThrowable(() -> cache.get("k", String.class));
                assertThat(down).isInstanceOf(CacheBackendException.class);
                assertNoSecret(down);
            }
        });
        if (created != null) {
            assertNoSecret(created);
            assertThat(created).isInstanceOf(CacheBackendException.class);
        }
    }

    private static void assertNoSecret(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(SECRET);
            assertThat(t.toString()).doesNotContain(SECRET);
        }
    }
}
