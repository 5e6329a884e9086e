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
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        StoredResponse r = new StoredResponse(
                203, headers, body, Compression.gzip(body), "\"tag\"", List.of("a", "b:7"), 1000L, 61000L, 5, 7);
        StoredResponse back = StoredResponseCodec.decode(StoredResponseCodec.encode(r));
        assertThat(back).isEqualTo(r);
        assertThat(back.headers().keySet()).containsExactly("Content-Type", "X-Multi");
        assertThat(back.header("content-type")).isEqualTo("application/json;charset=UTF-8");
        assertThat(back.tags()).containsExactly("a", "b:7");
        assertThat(back.expiresAtMillis()).isEqualTo(61007L);

        StoredResponse plain = new StoredResponse(200, Map.of(), body, null, "\"t\"", List.of(), 1, 2, 0, 0);
        assertThat(StoredResponseCodec.decode(StoredResponseCodec.encode(plain)).gzipBody())
                .isNull();
    }

    @Test
    void foreignTruncatedOrPaddedBytesAreRejected() {
        StoredResponse r =
                new StoredResponse(200, Map.of(), new byte[] {1, 2, 3}, null, "\"t\"", List.of(), 1, 2, 0, 0);
        byte[] bytes = StoredResponseCodec.encode(r);
        assertThatThrownBy(() -> StoredResponseCodec.decode("hello".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StoredResponseCodec.decode(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StoredResponseCodec.decode(Arrays.copyOf(bytes, bytes.length + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StoredResponseCodec.decode(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        byte[] version1 = bytes.clone();
        version1[2] = 1;
        assertThatThrownBy(() -> StoredResponseCodec.decode(version1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void urlRecordsRoundTripAndRejectForeignBytes() {
        UrlRecord record = UrlRecord.create(List.of("accept-language", "x-tenant"), 123_456L);
        UrlRecord back = UrlRecord.decode(record.encode());
        assertThat(back).isEqualTo(record);
        assertThat(UrlRecord.create(List.of(), 1).token())
                .isNotEqualTo(UrlRecord.create(List.of(), 1).token());
        byte[] bytes = record.encode();
        assertThatThrownBy(() -> UrlRecord.decode(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UrlRecord.decode(StoredResponseCodec.encode(
                        new StoredResponse(200, Map.of(), new byte[0], null, "\"t\"", List.of(), 1, 2, 0, 0))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
