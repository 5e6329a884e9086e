package io.cachekit.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StoredKeysTest {

    @Test
    void wellFormedKeysAreTheirUtf8() {
        for (String key : List.of("", "plain", "ключ-🔑-鍵", "nul\u0000byte", "x".repeat(1024))) {
            assertThat(StoredKeys.encode(key)).isEqualTo(key.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void unpairedSurrogatesKeepTheirOwnBytes() {
        assertThat(StoredKeys.encode("\uD800")).containsExactly(0xED, 0xA0, 0x80);
        assertThat(StoredKeys.encode("\uDFFF")).containsExactly(0xED, 0xBF, 0xBF);
        Set<String> seen = new HashSet<>();
        for (String key : List.of("\uD800", "\uDC00", "\uD800\uDC00", "\uDC00\uD800", "?", "\uFFFD", "a\uD800", "a")) {
            assertThat(seen.add(new String(StoredKeys.encode(key), StandardCharsets.ISO_8859_1)))
                    .as("key %s is stored apart", key.codePoints().boxed().toList())
                    .isTrue();
        }
    }

    @Test
    void longKeysBecomeMarkedDigests() {
        byte[] a = StoredKeys.encode("x".repeat(1025));
        byte[] b = StoredKeys.encode("x".repeat(1024) + "y");
        assertThat(a).hasSize(33).startsWith((byte) 0xFF);
        assertThat(b).hasSize(33).isNotEqualTo(a);
        assertThat(StoredKeys.encode("x".repeat(1025))).isEqualTo(a);
        // 512 two-byte characters are 1024 bytes: stored as they are; one more is too long.
        assertThat(StoredKeys.encode("é".repeat(512))).hasSize(1024);
        assertThat(StoredKeys.encode("é".repeat(513))).hasSize(33);
    }
}
