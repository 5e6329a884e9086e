package io.cachekit.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.http.CapturedResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class CompressionTest {

    @Test
    void gzipIsAcceptedByNameOrByStarUnlessRefused() {
        assertThat(Compression.acceptsGzip(List.of("gzip, deflate, br"))).isTrue();
        assertThat(Compression.acceptsGzip(List.of("br", "x-gzip;q=0.5"))).isTrue();
        assertThat(Compression.acceptsGzip(List.of("*"))).isTrue();
        assertThat(Compression.acceptsGzip(List.of("gzip;q=0, *"))).isFalse();
        assertThat(Compression.acceptsGzip(List.of("GZIP;Q=0.001"))).isTrue();
        assertThat(Compression.acceptsGzip(List.of("identity"))).isFalse();
        assertThat(Compression.acceptsGzip(List.of())).isFalse();
    }

    @Test
    void acceptedCodingsAreSortedWithoutWeights() {
        assertThat(Compression.acceptedCodings(List.of("gzip;q=0.8, br, identity;q=0")))
                .isEqualTo("br,gzip");
        assertThat(Compression.acceptedCodings(List.of())).isEmpty();
    }

    @Test
    void textualResponsesOfSomeSizeAreCompressible() {
        byte[] body = new byte[2000];
        assertThat(Compression.compressible(response("application/json", Map.of(), body), 1024))
                .isTrue();
        assertThat(Compression.compressible(response("text/html;charset=UTF-8", Map.of(), body), 1024))
                .isTrue();
        assertThat(Compression.compressible(response("application/problem+json", Map.of(), body), 1024))
                .isTrue();
        assertThat(Compression.compressible(response("image/png", Map.of(), body), 1024))
                .isFalse();
        assertThat(Compression.compressible(response("application/json", Map.of(), new byte[10]), 1024))
                .isFalse();
        assertThat(Compression.compressible(
                        response("application/json", Map.of("Content-Encoding", List.of("br")), body), 1024))
                .isFalse();
        assertThat(Compression.compressible(
                        response("application/json", Map.of("Cache-Control", List.of("no-transform")), body), 1024))
                .isFalse();
    }

    @Test
    void gzipRoundTrips() throws IOException {
        byte[] body = "hello ".repeat(500).getBytes(StandardCharsets.UTF_8);
        byte[] gzip = Compression.gzip(body);
        assertThat(gzip.length).isLessThan(body.length);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            assertThat(in.readAllBytes()).isEqualTo(body);
        }
    }

    private static CapturedResponse response(String type, Map<String, List<String>> more, byte[] body) {
        Map<String, List<String>> headers = new java.util.LinkedHashMap<>(more);
        headers.put("Content-Type", List.of(type));
        return new CapturedResponse(200, headers, body);
    }
}
