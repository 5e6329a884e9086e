package io.cachekit.spi;

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
            assertThat(StoredKeys.bytesOrDigest(key, 1024)).isEqualTo(key.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void unpairedSurrogatesKeepTheirOwnBytes() {
        assertThat(StoredKeys.bytesOrDigest("\uD800", 1024)).containsExactly(0xED, 0xA0, 0x80);
        assertThat(StoredKeys.bytesOrDigest("\uDFFF", 1024)).containsExactly(0xED, 0xBF, 0xBF);
        Set<String> seen = new HashSet<>();
        for (String key : List.of("\uD800", "\uDC00", "\uD800\uDC00", "\uDC00\uD800", "?", "\uFFFD", "a\uD800", "a")) {
            assertThat(seen.add(new String(StoredKeys.bytesOrDigest(key, 1024), StandardCharsets.ISO_8859_1)))
                    .as("key %s is stored apart", key.codePoints().boxed().toList())
                    .isTrue();
        }
    }

    @Test
    void longKeysBecomeMarkedDigests() {
        byte[] a = StoredKeys.bytesOrDigest("x".repeat(1025), 1024);
        byte[] b = StoredKeys.bytesOrDigest("x".repeat(1024) + "y", 1024);
        assertThat(a).hasSize(33).startsWith((byte) 0xFF);
        assertThat(b).hasSize(33).isNotEqualTo(a);
        assertThat(StoredKeys.bytesOrDigest("x".repeat(1025), 1024)).isEqualTo(a);
        // 512 two-byte characters are 1024 bytes: stored as they are; one more is too long.
        assertThat(StoredKeys.bytesOrDigest("é".repeat(512), 1024)).hasSize(1024);
        assertThat(StoredKeys.bytesOrDigest("é".repeat(513), 1024)).hasSize(33);
    }

    @Test
    void readableKeysStayReadableAndOthersBecomeDigests() {
        assertThat(StoredKeys.readableOrDigest("app", "user:42", 250, StoredKeys::isPrintableAsciiExceptSpace))
                .isEqualTo("app:user:42");
        String spaced = StoredKeys.readableOrDigest("app", "a b", 250, StoredKeys::isPrintableAsciiExceptSpace);
        assertThat(spaced).startsWith("app#").hasSize(4 + 43);
        assertThat(StoredKeys.readableOrDigest("app", "x".repeat(246), 250, c -> true))
                .isEqualTo("app:" + "x".repeat(246));
        assertThat(StoredKeys.readableOrDigest("app", "x".repeat(247), 250, c -> true))
                .startsWith("app#");
        assertThat(StoredKeys.readableOrDigest("app", "é".repeat(124), 250, c -> true))
                .startsWith("app#");
        assertThat(StoredKeys.readableOrDigest("app", "\uD800", 250, c -> true))
                .isNotEqualTo(StoredKeys.readableOrDigest("app", "?", 250, c -> true));
    }

    @Test
    void ttlsRoundUpAndNeverReachZero() {
        assertThat(Ttls.millisRoundedUp(java.time.Duration.ofNanos(1))).isEqualTo(1);
        assertThat(Ttls.secondsRoundedUp(java.time.Duration.ofMillis(1001))).isEqualTo(2);
        assertThat(Ttls.microsRoundedUp(java.time.Duration.ofSeconds(2))).isEqualTo(2_000_000);
        assertThat(Ttls.isNever(null, java.time.Duration.ofDays(1))).isTrue();
        assertThat(Ttls.isNever(java.time.Duration.ofDays(2), java.time.Duration.ofDays(1)))
                .isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Ttls.check(java.time.Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ttl must be positive");
    }
}
