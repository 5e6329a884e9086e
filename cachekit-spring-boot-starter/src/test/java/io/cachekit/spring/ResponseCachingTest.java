package io.cachekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.spring.app.Calls;
import io.cachekit.spring.app.TestApplication;
import io.cachekit.tck.ManualClock;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Response caching over real HTTP: every assertion on caching counts the handler's calls. */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ResponseCachingTest {
    private static final AtomicLong IDS = new AtomicLong(1000);

    @LocalServerPort
    int port;

    @Autowired
    Calls calls;

    @Autowired
    ManualClock clock;

    private Http http;
    private long id;

    @BeforeEach
    void setUp() {
        http = new Http(port);
        id = IDS.incrementAndGet(); // every test its own entries, so the shared context needs no reset
    }

    @Test
    void annotatedEndpointIsServedFromTheCacheAfterTheFirstCall() {
        HttpResponse<String> miss = http.get("/api/profile/" + id);
        HttpResponse<String> hit = http.get("/api/profile/" + id);

        assertThat(calls.get("http-profile:" + id)).isEqualTo(1);
        assertThat(miss.statusCode()).isEqualTo(200);
        assertThat(miss.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(hit.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(hit.body()).isEqualTo(miss.body()).isEqualTo("{\"id\":" + id + ",\"name\":\"user" + id + "\"}");
        assertThat(hit.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(hit.headers().firstValue("ETag")).isEqualTo(miss.headers().firstValue("ETag"));
        assertThat(hit.headers().firstValue("Cache-Control")).hasValue("max-age=30");
        assertThat(hit.headers().firstValue("Age")).hasValue("0");
    }

    @Test
    void annotationTtlDecidesMaxAgeAndExpiry() {
        http.get("/api/profile/" + id);
        clock.advance(Duration.ofSeconds(20));
        HttpResponse<String> older = http.get("/api/profile/" + id);
        assertThat(older.headers().firstValue("Cache-Control"))
                .as("the lifetime; Age tells clients how much of it is gone")
                .hasValue("max-age=30");
        assertThat(older.headers().firstValue("Age")).hasValue("20");
        assertThat(calls.get("http-profile:" + id)).isEqualTo(1);

        clock.advance(Duration.ofSeconds(11));
        assertThat(http.get("/api/profile/" + id).headers().firstValue("X-Cache"))
                .hasValue("MISS");
        assertThat(calls.get("http-profile:" + id)).isEqualTo(2);
    }

    @Test
    void etagAndIfNoneMatchGiveNotModified() {
        String etag =
                http.get("/api/profile/" + id).headers().firstValue("ETag").orElseThrow();
        assertThat(etag).startsWith("\"").endsWith("\"");

        HttpResponse<String> notModified = http.get("/api/profile/" + id, "If-None-Match", "W/\"x\", " + etag);
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
        assertThat(notModified.headers().firstValue("ETag")).hasValue(etag);
        assertThat(notModified.headers().firstValue("Cache-Control")).hasValue("max-age=30");

        assertThat(http.get("/api/profile/" + id, "If-None-Match", "*").statusCode())
                .isEqualTo(304);
        assertThat(http.get("/api/profile/" + id, "If-None-Match", "\"stale\"").statusCode())
                .isEqualTo(200);
        assertThat(calls.get("http-profile:" + id)).isEqualTo(1);
    }

    @Test
    void noStoreBypassesTheCacheAndNoCacheRefreshesIt() {
        http.get("/api/profile/" + id);
        HttpResponse<String> bypass = http.get("/api/profile/" + id, "Cache-Control", "no-store");
        assertThat(bypass.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(calls.get("http-profile:" + id)).isEqualTo(2);
        assertThat(http.get("/api/profile/" + id).headers().firstValue("X-Cache"))
                .hasValue("HIT");
        assertThat(calls.get("http-profile:" + id)).isEqualTo(2);

        clock.advance(Duration.ofSeconds(10));
        HttpResponse<String> refreshed = http.get("/api/profile/" + id, "Cache-Control", "no-cache");
        assertThat(refreshed.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(calls.get("http-profile:" + id)).isEqualTo(3);
        HttpResponse<String> after = http.get("/api/profile/" + id);
        assertThat(after.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(after.headers().firstValue("Age"))
                .as("stored anew by the refresh")
                .hasValue("0");
        assertThat(calls.get("http-profile:" + id)).isEqualTo(3);
    }

    @Test
    void userANeverReceivesUserBsResponse() {
        String path = "/api/me/" + id;
        HttpResponse<String> a1 = http.get(path, "X-User", "alice");
        HttpResponse<String> b1 = http.get(path, "X-User", "bob");
        HttpResponse<String> a2 = http.get(path, "X-User", "alice");
        HttpResponse<String> b2 = http.get(path, "X-User", "bob");

        assertThat(a1.body()).isEqualTo("hello alice");
        assertThat(b1.body()).isEqualTo("hello bob");
        assertThat(b1.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(a2.body()).isEqualTo("hello alice");
        assertThat(a2.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(b2.body()).isEqualTo("hello bob");
        assertThat(b2.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(a2.headers().firstValue("Cache-Control")).hasValue("private, max-age=60");
        assertThat(calls.get("http-me:" + id + ":alice")).isEqualTo(1);
        assertThat(calls.get("http-me:" + id + ":bob")).isEqualTo(1);
    }

    @Test
    void requestsWithCredentialsOutsideTheKeyAreNotCached() {
        http.get("/api/me/" + id, "Authorization", "Bearer alice");
        HttpResponse<String> second = http.get("/api/me/" + id, "Authorization", "Bearer bob");
        assertThat(second.headers().firstValue("X-Cache")).isEmpty();
        assertThat(calls.get("http-me:" + id + ":null")).isEqualTo(2);
    }

    @Test
    void errorResponsesAreNotCached() {
        HttpResponse<String> first = http.get("/api/missing/" + id);
        HttpResponse<String> second = http.get("/api/missing/" + id);
        assertThat(first.statusCode()).isEqualTo(404);
        assertThat(second.statusCode()).isEqualTo(404);
        assertThat(second.body()).isEqualTo("no user " + id);
        assertThat(calls.get("http-missing:" + id)).isEqualTo(2);
    }

    @Test
    void postIsNotCachedByDefault() {
        HttpResponse<String> first = http.send("POST", "/api/profile/" + id);
        HttpResponse<String> second = http.send("POST", "/api/profile/" + id);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.headers().firstValue("X-Cache")).isEmpty();
        assertThat(calls.get("http-update:" + id)).isEqualTo(2);
        // and the GET of the same path is a different entry
        http.get("/api/profile/" + id);
        assertThat(calls.get("http-profile:" + id)).isEqualTo(1);
    }

    @Test
    void completableFutureHandlersAreCachedWhenTheyComplete() {
        HttpResponse<String> first = http.get("/api/future/" + id);
        HttpResponse<String> second = http.get("/api/future/" + id);
        assertThat(first.body()).isEqualTo("{\"id\":" + id + ",\"name\":\"future" + id + "\"}");
        assertThat(first.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(second.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(second.headers().firstValue("Cache-Control")).hasValue("max-age=120");
        assertThat(calls.get("http-future:" + id)).isEqualTo(1);
    }

    @Test
    void configuredPathPatternsAreCachedAndOtherPathsAreNot() {
        http.get("/static/info/" + id);
        HttpResponse<String> hit = http.get("/static/info/" + id);
        assertThat(hit.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(hit.headers().firstValue("Cache-Control")).hasValue("max-age=60");
        assertThat(calls.get("http-info:" + id)).isEqualTo(1);

        http.get("/api/uncached/" + id);
        HttpResponse<String> uncached = http.get("/api/uncached/" + id);
        assertThat(uncached.headers().firstValue("X-Cache")).isEmpty();
        assertThat(calls.get("http-uncached:" + id)).isEqualTo(2);
    }

    @Test
    void headIsAnsweredFromTheGetEntry() {
        HttpResponse<String> get = http.get("/api/profile/" + id);
        HttpResponse<String> head = http.send("HEAD", "/api/profile/" + id);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(head.headers().firstValue("Content-Length"))
                .hasValue(Integer.toString(get.body().length()));
        assertThat(calls.get("http-profile:" + id)).isEqualTo(1);
    }
}
