package io.cachekit.memcached;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Gets that reuse a namespace generation ({@code generationReuse}): what they fetch, and that after a clear
 * returns no process, not even one that reused the old generation, reads an entry written before it. Against the
 * two servers of {@code scripts/servers/memcached.sh start}; each backend stands for a process of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MemcachedGenerationReuseTest {
    private List<RawMemcached> servers;

    @BeforeAll
    void servers() {
        servers = MemcachedTestServers.raw();
    }

    private static MemcachedBackend connect(String generationReuse) {
        return MemcachedTestServers.connect(
                MemcachedTestServers.uri() + "?generationReuse=" + generationReuse,
                MemcachedTestServers.context(Duration.ofSeconds(5)));
    }

    private static String namespace() {
        return "mr-" + UUID.randomUUID().toString().substring(0, 12);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Keys the servers have looked up so far, hits and misses. */
    private long keysLookedUp() {
        return servers.stream()
                .mapToLong(s -> s.stat("get_hits") + s.stat("get_misses"))
                .sum();
    }

    @Test
    void aGetWithAGenerationAskedForWithinTheReuseTimeFetchesTheEntryAlone() {
        String ns = namespace();
        // Ten seconds, so that every get below falls within the reuse time of the generation the set asked for.
        try (MemcachedBackend reusing = connect("10s");
                MemcachedBackend never = connect("0s")) {
            reusing.set(ns, "k", bytes("v"), null); // asks the server for the generation of k's server
            long before = keysLookedUp();
            for (int i = 0; i < 50; i++) {
                assertThat(reusing.get(ns, "k")).isEqualTo(bytes("v"));
            }
            long reusingKeys = keysLookedUp() - before;

            before = keysLookedUp();
            for (int i = 0; i < 50; i++) {
                assertThat(never.get(ns, "k")).isEqualTo(bytes("v"));
            }
            long neverKeys = keysLookedUp() - before;

            assertThat(reusingKeys).as("one key per get: the entry").isEqualTo(50);
            assertThat(neverKeys)
                    .as("two keys per get: the entry and its server's counter")
                    .isEqualTo(100);
        }
    }

    @Test
    void afterAClearReturnsAProcessThatReusedTheOldGenerationReadsNothingFromBeforeIt() {
        String ns = namespace();
        try (MemcachedBackend reader = connect("300ms");
                MemcachedBackend clearer = connect("300ms")) {
            reader.set(ns, "a", bytes("old"), null);
            assertThat(reader.get(ns, "a")).isEqualTo(bytes("old")); // the generation is now reused

            clearer.clear(ns);
            assertThat(reader.get(ns, "a")).as("read after the other's clear").isNull();
            assertThat(reader.getMany(ns, List.of("a"))).isEmpty();

            reader.set(ns, "b", bytes("old"), null);
            assertThat(reader.get(ns, "b")).isEqualTo(bytes("old"));
            clearer.clearAsync(ns).join();
            assertThat(reader.get(ns, "b"))
                    .as("read after the other's async clear")
                    .isNull();
        }
    }

    @Test
    void readersRacingAClearNeverSeeAnOldEntryOnceItReturned() throws Exception {
        String ns = namespace();
        int keys = 20;
        try (MemcachedBackend reader = connect("200ms");
                MemcachedBackend clearer = connect("200ms")) {
            for (int i = 0; i < keys; i++) {
                clearer.set(ns, "k" + i, bytes("old"), null);
                assertThat(reader.get(ns, "k" + i)).isEqualTo(bytes("old")); // the reader reuses the generations
            }
            ExecutorService threads = Executors.newFixedThreadPool(4);
            AtomicInteger staleAfterClear = new AtomicInteger();
            CompletableFuture<Void> cleared = new CompletableFuture<>();
            CompletableFuture<?>[] readers = new CompletableFuture<?>[4];
            for (int t = 0; t < readers.length; t++) {
                readers[t] = CompletableFuture.runAsync(
                        () -> {
                            // Reads until the clear has returned, then each key once more: those must all miss.
                            while (!cleared.isDone()) {
                                for (int i = 0; i < keys; i++) {
                                    reader.get(ns, "k" + i);
                                }
                            }
                            for (int i = 0; i < keys; i++) {
                                if (reader.get(ns, "k" + i) != null) {
                                    staleAfterClear.incrementAndGet();
                                }
                            }
                        },
                        threads);
            }
            try {
                clearer.clear(ns);
                cleared.complete(null);
                CompletableFuture.allOf(readers).get();
            } finally {
                cleared.complete(null);
                threads.shutdownNow();
            }
            assertThat(staleAfterClear.get())
                    .as("reads of an old entry after the clear returned")
                    .isZero();
        }
    }
}
