package io.cachekit.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.http.StoredResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoredResponseCodecTest {

    @Test
    void roundTripKeepsEveryField() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Content-Type", List.of("application/json;charset=UTF-8"));
        headers.put("X-Multi", List.of("a", "b", "ünïcödé"));
        StoredResponse r = new StoredResponse(
                203, headers, "{\"a\":1}".getBytes(StandardCharsets.UTF_8), "\"tag\"", 1000L, 61000L);
        StoredResponse back = StoredResponseCodec.decode(StoredResponseCodec.encode(r));
        assertThat(back).isEqualTo(r);
        assertThat(back.headers().keySet()).containsExactly("Content-Type", "X-Multi");
        assertThat(back.header("content-type")).isEqualTo("application/json;charset=UTF-8");
    }

    @Test
    void foreignTruncatedOrPaddedBytesAreRejected() {
        StoredResponse r = new StoredResponse(200, Map.of(), new byte[] {1, 2, 3}, "\"t\"", 1, 2);
        byte[] bytes = StoredResponseCodec.encode(r);
        assertThatThrownBy(() -> StoredResponseCodec.decode("hello".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StoredResponseCodec.decode(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StoredResponseCodec.decode(Arrays.copyOf(bytes, bytes.length + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StoredResponseCodec.decode(new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
