package io.cachekit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.Cache;
import io.cachekit.CachekitConfig;
import io.cachekit.spi.CacheBackend;
import io.cachekit.tck.CacheBackendContract.User;
import io.cachekit.tck.CacheOps.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executor;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Keys and stored entries: unusual keys stay distinct and readable, large values round-trip, null keys and types
 * are clear errors, bytes that are no entry of Cachekit's are a counted miss and are deleted, and an entry of
 * another type than the one asked for is an error naming both types that leaves the entry in place. Over the
 * sync API and over the async view.
 *
 * <p>{@link CacheBackendContract} runs it for every backend as a nested section.
 */
public abstract class EntryFormContract {
    /** A cache in a new namespace over the backend under test, on the contract's clock, with the caller's settings. */
    protected abstract Cache newCache(CachekitConfig.Builder settings);

    /** The executor of the caches and of the async view. */
    protected abstract Executor executor();

    /** The backend under test, to write bytes past the cache and to read what is left. */
    protected abstract CacheBackend backend();

    /** The contract's clock, in epoch milliseconds. */
    protected abstract long nowMillis();

    private CacheOps ops(Path path) {
        return CacheOps.of(newCache(CachekitConfig.builder()), path, executor());
    }

    private static String storedNamespace(CacheOps c) {
        return c.cache().namespace();
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void unusualKeysAreDistinctAndReadable(Path path) {
        CacheOps c = ops(path);
        List<String> keys = List.of(
                "",
                " ",
                "ключ-🔑-鍵",
                "with space",
                "tab\tnew\nline\r",
                "nul\u0000byte",
                "slash/back\\slash",
                "glob*?[]{}^$|()",
                "percent%20plus+amp&eq=",
                "quote'\"`",
                "colon:colon::",
                "x".repeat(1024),
                "x".repeat(1023) + "y",
                "é".repeat(300));
        for (int i = 0; i < keys.size(); i++) {
            c.set(keys.get(i), "value-" + i);
        }
        for (int i = 0; i < keys.size(); i++) {
            assertThat(c.get(keys.get(i), String.class)).as("key #%d", i).isEqualTo("value-" + i);
        }
        c.delete("x".repeat(1024));
        assertThat(c.has("x".repeat(1024))).isFalse();
        assertThat(c.get("x".repeat(1023) + "y", String.class)).isEqualTo("value-" + 12);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void oneMegabyteValues(Path path) {
        CacheOps c = ops(path);
        byte[] bytes = new byte[1_000_000];
        new Random(7).nextBytes(bytes);
        c.set("big-bytes", bytes);
        assertThat(c.get("big-bytes", byte[].class)).isEqualTo(bytes);
        String text = "0123456789".repeat(100_000);
        c.set("big-text", text);
        assertThat(c.get("big-text", String.class)).isEqualTo(text);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void nullKeysAreRejected(Path path) {
        CacheOps c = ops(path);
        assertThatThrownBy(() -> c.get(null, String.class)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> c.set(null, "v")).isInstanceOf(NullPointerException.class);
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void corruptEntryIsACountedMissAndIsDeleted(Path path) {
        CacheOps c = ops(path);
        String ns = storedNamespace(c);
        backend().set(ns, "garbage", "not an envelope".getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(1));
        backend().set(ns, "truncated", new byte[] {(byte) 0xCA, 1, 3}, Duration.ofMinutes(1));
        byte[] badJson = validHeader(3, "{\"id\": oops".getBytes(StandardCharsets.UTF_8));
        backend().set(ns, "bad-json", badJson, Duration.ofMinutes(1));
        byte[] unknownCodec = validHeader(99, new byte[] {1, 2, 3});
        backend().set(ns, "unknown-codec", unknownCodec, Duration.ofMinutes(1));

        for (String key : List.of("garbage", "truncated", "bad-json", "unknown-codec")) {
            assertThat(c.get(key, User.class)).as(key).isNull();
        }
        assertThat(c.cache().stats().corruptEntries()).isEqualTo(4);
        assertThat(c.cache().stats().hits()).isZero();
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String key : List.of("garbage", "truncated", "bad-json", "unknown-codec")) {
                assertThat(backend().get(ns, key)).as("%s is deleted", key).isNull();
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void entryOfAnotherTypeThrowsNamingBothTypesAndStays(Path path) {
        CacheOps c = ops(path);
        c.set("text", "not a number");
        c.set("user", new User(1, "a", List.of(), Instant.EPOCH));
        for (String key : List.of("text", "user")) {
            assertThatThrownBy(() -> c.get(key, Integer.class))
                    .as(key)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("java.lang.Integer")
                    .hasMessageContaining(key.equals("text") ? "java.lang.String" : "holds a");
        }
        assertThat(c.cache().stats().corruptEntries()).isZero();
        assertThat(c.has("text"))
                .as("a live entry of another type is not deleted")
                .isTrue();
        assertThat(c.get("text", String.class)).isEqualTo("not a number");
        assertThat(c.get("user", User.class).name()).isEqualTo("a");
    }

    @ParameterizedTest
    @EnumSource(Path.class)
    void nullTypesAreRejected(Path path) {
        CacheOps c = ops(path);
        c.set("k", "v");
        assertThatThrownBy(() -> c.get("k", (Class<String>) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> c.getWithTtl("k", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> c.getMany(List.of("k"), null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> c.getOrLoad("k", null, null, () -> "w")).isInstanceOf(NullPointerException.class);
        assertThat(c.get("k", String.class)).as("a null type deletes nothing").isEqualTo("v");
        assertThat(c.cache().stats().corruptEntries()).isZero();
    }

    /** An envelope header (format 1, no flags, expiring in an hour) before {@code payload}. */
    private byte[] validHeader(int codecId, byte[] payload) {
        byte[] out = Arrays.copyOf(new byte[] {(byte) 0xCA, 1, (byte) codecId, 0}, 12 + payload.length);
        long expiresAt = nowMillis() + 3_600_000;
        for (int i = 0; i < 8; i++) {
            out[4 + i] = (byte) (expiresAt >>> (56 - 8 * i));
        }
        System.arraycopy(payload, 0, out, 12, payload.length);
        return out;
    }
}
