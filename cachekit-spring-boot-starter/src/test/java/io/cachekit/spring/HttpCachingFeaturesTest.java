package io.cachekit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cachekit.http.HttpRequestView;
import io.cachekit.http.HttpResponseCache;
import io.cachekit.http.ServedResponse;
import io.cachekit.spring.app.Calls;
import io.cachekit.spring.app.Gate;
import io.cachekit.spring.app.TestApplication;
import io.cachekit.tck.ManualClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Over real HTTP, with {@code server.compression.enabled=true}: writes invalidating their URL, purge through the
 * actuator endpoint, tags from {@code @CachedResponse} and the tag header, compressed hits and 304s, stale
 * responses from the annotation's windows, and POST caching where it is opted in. Every assertion on caching
 * counts the handler's runs.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HttpCachingFeaturesTest {
    private static final AtomicLong IDS = new AtomicLong(5000);

    @LocalServerPort
    int port;

    @Autowired
    Calls calls;

    @Autowired
    Gate gate;

    @Autowired
    ManualClock clock;

    @Autowired
    HttpResponseCache responses;

    @Autowired
    CachekitProperties properties;

    private Http http;
    private long id;

    @BeforeEach
    void setUp() {
        http = new Http(port);
        id = IDS.incrementAndGet(); // every test its own entries, so the shared context needs no reset
    }

    @AfterEach
    void openTheGate() {
        gate.fail(Gate.Failure.NONE);
        gate.open();
    }

    private String xCache(HttpResponse<?> response) {
        return response.headers().firstValue("X-Cache").orElse("none");
    }

    @Test
    void aSuccessfulWriteInvalidatesEveryVariantOfItsUrlAndAFailedOneNothing() {
        String path = "/api/products/" + id;
        for (String user : List.of("alice", "bob")) {
            http.get(path, "X-User", user);
            assertThat(xCache(http.get(path, "X-User", user))).isEqualTo("HIT");
        }
        assertThat(http.send("DELETE", path).statusCode()).isEqualTo(404);
        assertThat(xCache(http.get(path, "X-User", "alice")))
                .as("a failed write")
                .isEqualTo("HIT");

        assertThat(http.send("PUT", path).statusCode()).isEqualTo(204);
        assertThat(xCache(http.get(path, "X-User", "alice"))).isEqualTo("MISS");
        assertThat(xCache(http.get(path, "X-User", "bob"))).isEqualTo("MISS");
        assertThat(calls.get("product:" + id)).isEqualTo(4);
    }

    @Test
    void purgeByUrlThroughTheActuatorEndpoint() {
        String path = "/api/products/" + id;
        http.get(path);
        http.get(path, "X-User", "alice");
        assertThat(xCache(http.get(path))).isEqualTo("HIT");

        assertThat(http.send("DELETE", "/actuator/cachekit?url=" + path).statusCode())
                .isEqualTo(204);
        assertThat(xCache(http.get(path))).isEqualTo("MISS");
        assertThat(xCache(http.get(path, "X-User", "alice"))).isEqualTo("MISS");
        assertThat(calls.get("product:" + id)).isEqualTo(4);
        assertThat(http.send("DELETE", "/actuator/cachekit?url=products").statusCode())
                .isEqualTo(400);
        assertThat(http.send("DELETE", "/actuator/cachekit").statusCode()).isEqualTo(400);
    }

    @Test
    void purgeByTagThroughTheActuatorEndpoint() {
        String one = "/api/products/" + id;
        String other = "/api/products/" + (id + 100_000);
        http.get(one);
        http.get(other);
        assertThat(xCache(http.get(one))).isEqualTo("HIT");

        assertThat(http.send("DELETE", "/actuator/cachekit/tags/product:" + id).statusCode())
                .isEqualTo(204);
        assertThat(xCache(http.get(one))).isEqualTo("MISS");
        assertThat(xCache(http.get(other))).as("another product's tag").isEqualTo("HIT");

        assertThat(http.send("DELETE", "/actuator/cachekit/tags/catalog").statusCode())
                .as("the tag from the Surrogate-Key header")
                .isEqualTo(204);
        assertThat(xCache(http.get(other))).isEqualTo("MISS");
        assertThat(calls.get("product:" + id)).isEqualTo(2);
        assertThat(calls.get("product:" + (id + 100_000))).isEqualTo(2);
    }

    @Test
    void tagsComeFromTheAnnotationWithPathVariablesAndFromTheTagHeaderWhichNeverLeaves() throws Exception {
        String path = "/api/products/" + id;
        HttpResponse<String> miss = http.get(path);
        HttpResponse<String> hit = http.get(path);
        assertThat(miss.headers().firstValue("Surrogate-Key")).isEmpty();
        assertThat(hit.headers().firstValue("Surrogate-Key")).isEmpty();
        assertThat(xCache(hit)).isEqualTo("HIT");

        HttpRequestView request = new View("127.0.0.1:" + port, path);
        ServedResponse stored =
                responses.serve(responses.plan(request, properties.getHttp().toPolicy()), hold -> {
                    throw new AssertionError("the handler must not run");
                });
        assertThat(stored.stored().tags()).containsExactly("product:" + id, "products", "catalog");
    }

    @Test
    void compressedHitAnd304ForBothEncodingsWithServerCompressionOn() throws IOException {
        HttpResponse<byte[]> tomcat = http.getBytes("/api/uncached-big/" + id, "Accept-Encoding", "gzip");
        assertThat(tomcat.headers().firstValue("Content-Encoding"))
                .as("server compression is on for responses the cache does not handle")
                .hasValue("gzip");

        String path = "/api/big/" + id;
        HttpResponse<byte[]> miss = http.getBytes(path, "Accept-Encoding", "gzip");
        HttpResponse<byte[]> hit = http.getBytes(path, "Accept-Encoding", "gzip, deflate");
        HttpResponse<String> identity = http.get(path);

        assertThat(miss.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(xCache(hit)).isEqualTo("HIT");
        assertThat(hit.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(gunzip(hit.body())).isEqualTo(identity.body()).startsWith("{\"id\":" + id);
        assertThat(hit.body().length).isLessThan(identity.body().length() / 4);
        assertThat(hit.headers().firstValue("Vary").orElseThrow()).contains("Accept-Encoding");
        assertThat(identity.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(identity.headers().firstValue("Vary").orElseThrow()).contains("Accept-Encoding");
        String gzipTag = hit.headers().firstValue("ETag").orElseThrow();
        String identityTag = identity.headers().firstValue("ETag").orElseThrow();
        assertThat(gzipTag).isNotEqualTo(identityTag);

        HttpResponse<byte[]> gzip304 = http.getBytes(path, "Accept-Encoding", "gzip", "If-None-Match", gzipTag);
        assertThat(gzip304.statusCode()).isEqualTo(304);
        assertThat(gzip304.body()).isEmpty();
        assertThat(gzip304.headers().firstValue("ETag")).hasValue(gzipTag);
        HttpResponse<String> identity304 = http.get(path, "If-None-Match", identityTag);
        assertThat(identity304.statusCode()).isEqualTo(304);
        assertThat(identity304.headers().firstValue("ETag")).hasValue(identityTag);
        assertThat(http.get(path, "If-None-Match", gzipTag).statusCode())
                .as("the gzip validator does not match the identity representation")
                .isEqualTo(200);
        assertThat(calls.get("big:" + id)).isEqualTo(1);
    }

    @Test
    void aStaleResponseIsServedWhileTheSlowHandlerRefreshesIt() {
        String path = "/api/stale/" + id;
        assertThat(http.get(path).body()).isEqualTo("stale " + id + " run 1");
        clock.advance(Duration.ofSeconds(15));
        gate.close();

        HttpResponse<String> stale = http.get(path);
        assertThat(stale.body()).isEqualTo("stale " + id + " run 1");
        assertThat(stale.headers().firstValue("Cache-Status")).hasValue("Cachekit; hit; ttl=-5");
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.get("stale:" + id) == 2);
        assertThat(http.get(path).body()).as("still refreshing").isEqualTo("stale " + id + " run 1");
        assertThat(calls.get("stale:" + id)).isEqualTo(2);

        gate.open();
        await().atMost(Duration.ofSeconds(30)).until(() -> http.get(path).body().endsWith("run 2"));
        assertThat(calls.get("stale:" + id)).isEqualTo(2);
    }

    @Test
    void aStaleResponseIsServedWhileTheHandlerThrowsOrAnswers503() {
        String path = "/api/stale/" + id;
        http.get(path);
        clock.advance(Duration.ofMinutes(2)); // past stale-while-revalidate, within stale-if-error
        for (Gate.Failure failure : List.of(Gate.Failure.THROW, Gate.Failure.STATUS_503)) {
            gate.fail(failure);
            HttpResponse<String> r = http.get(path);
            assertThat(r.statusCode()).as(failure.name()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("stale " + id + " run 1");
            assertThat(r.headers().firstValue("Cache-Status").orElseThrow()).contains("detail=stale-if-error");
        }
        assertThat(calls.get("stale:" + id)).isEqualTo(3);
        clock.advance(Duration.ofMinutes(10));
        gate.fail(Gate.Failure.STATUS_503);
        assertThat(http.get(path).statusCode()).as("past every window").isEqualTo(503);
    }

    @Test
    void anAsyncHandlerRefreshesItsStaleResponseInTheBackground() {
        String path = "/api/stale-future/" + id;
        assertThat(http.get(path).body()).isEqualTo("future " + id + " run 1");
        clock.advance(Duration.ofSeconds(15));
        assertThat(http.get(path).body()).isEqualTo("future " + id + " run 1");
        await().atMost(Duration.ofSeconds(30)).until(() -> http.get(path).body().endsWith("run 2"));
        assertThat(calls.get("stale-future:" + id)).isEqualTo(2);
    }

    @Test
    void postIsCachedWhereTheAnnotationOrPostPathsOptInAndThenByItsBody() {
        String red = "{\"q\":\"red " + id + "\"}";
        String blue = "{\"q\":\"blue " + id + "\"}";
        HttpResponse<String> first = http.post("/api/search", red, "Content-Type", "application/json");
        HttpResponse<String> same = http.post("/api/search", red, "Content-Type", "application/json");
        http.post("/api/search", blue, "Content-Type", "application/json");
        assertThat(xCache(first)).isEqualTo("MISS");
        assertThat(xCache(same)).isEqualTo("HIT");
        assertThat(same.body()).isEqualTo(first.body());
        assertThat(calls.get("search:" + red)).isEqualTo(1);
        assertThat(calls.get("search:" + blue)).isEqualTo(1);

        String name = "q" + id;
        http.post("/api/query/" + name, red, "Content-Type", "application/json");
        assertThat(xCache(http.post("/api/query/" + name, red, "Content-Type", "application/json")))
                .isEqualTo("HIT");
        assertThat(calls.get("query:" + name + ":" + red)).isEqualTo(1);

        http.post("/api/orders/" + id, red, "Content-Type", "application/json");
        HttpResponse<String> order = http.post("/api/orders/" + id, red, "Content-Type", "application/json");
        assertThat(xCache(order)).isEqualTo("none");
        assertThat(calls.get("order:" + id)).isEqualTo(2);
    }

    private static String gunzip(byte[] bytes) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A GET of {@code path} as the client sent it, to read what the cache stored for it. */
    private record View(String host, String path) implements HttpRequestView {
        @Override
        public String method() {
            return "GET";
        }

        @Override
        public String scheme() {
            return "http";
        }

        @Override
        public String rawQuery() {
            return null;
        }

        @Override
        public List<String> headers(String name) {
            return List.of();
        }
    }
}
