package io.cachekit.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The example over HTTP, as the README shows it, without the simulated slowness. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "example.slowness=0s")
class ExampleApplicationTest {
    private final HttpClient client = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    WeatherService weather;

    @Autowired
    ProfileStore profiles;

    @Autowired
    CountryService countries;

    @BeforeEach
    void emptyCaches() throws Exception {
        assertThat(send("DELETE", "/cache").statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> send(String method, String path, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        return send("GET", path, headers);
    }

    @Test
    void weatherIsLookedUpOncePerCity() throws Exception {
        int before = weather.lookups();
        HttpResponse<String> first = get("/weather/Paris");
        HttpResponse<String> second = get("/weather/paris");
        HttpResponse<String> again = get("/weather/Paris");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("\"city\":\"paris\"").contains("\"lookup\":" + (before + 1));
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(second.body()).contains("\"lookup\":" + (before + 2)); // another argument, another entry
        assertThat(weather.lookups()).isEqualTo(before + 2);
    }

    @Test
    void forecastIsServedFromTheResponseCacheWithEtagAnd304() throws Exception {
        int before = weather.lookups();
        HttpResponse<String> miss = get("/forecast/Oslo");
        HttpResponse<String> hit = get("/forecast/Oslo");
        String etag = miss.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> notModified = get("/forecast/Oslo", "If-None-Match", etag);

        assertThat(miss.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(hit.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(hit.body()).isEqualTo(miss.body());
        assertThat(hit.headers().firstValue("Cache-Control"))
                .as("the lifetime of @CachedResponse(ttl = \"30s\"); Age says how much of it is gone")
                .hasValue("max-age=30");
        assertThat(Long.parseLong(hit.headers().firstValue("Age").orElseThrow()))
                .isBetween(0L, 30L);
        assertThat(hit.headers().firstValue("Cache-Status").orElseThrow()).startsWith("Cachekit; hit; ttl=");
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
        assertThat(weather.lookups()).isEqualTo(before + 1);

        HttpResponse<String> refreshed = get("/forecast/Oslo", "Cache-Control", "no-cache");
        assertThat(refreshed.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(weather.lookups()).isEqualTo(before + 2);
    }

    @Test
    void profilesComeFromTheInjectedCacheAfterTheFirstLoad() throws Exception {
        int before = profiles.loads();
        HttpResponse<String> loaded = get("/profiles/42");
        HttpResponse<String> cached = get("/profiles/42");
        assertThat(loaded.body()).contains("\"source\":\"loaded\"").contains("\"name\":\"Ada\"");
        assertThat(cached.body()).contains("\"source\":\"cache\"").containsPattern("\"ttlSeconds\":[1-6]\\d*");
        assertThat(profiles.loads()).isEqualTo(before + 1);
    }

    @Test
    void springCacheableRunsOnCachekit() throws Exception {
        int before = countries.loads();
        assertThat(get("/countries/no").body()).isEqualTo("{\"code\":\"NO\",\"name\":\"Norway\"}");
        assertThat(get("/countries/no").body()).isEqualTo("{\"code\":\"NO\",\"name\":\"Norway\"}");
        assertThat(countries.loads()).isEqualTo(before + 1);
    }

    @Test
    void clearingMakesTheNextCallsSlowAgain() throws Exception {
        int before = weather.lookups();
        get("/weather/Rome");
        get("/forecast/Rome");
        HttpResponse<String> cleared = send("DELETE", "/cache");
        assertThat(cleared.body()).contains("\"weather\"").contains("\"http\"");
        get("/weather/Rome");
        assertThat(get("/forecast/Rome").headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(weather.lookups()).isEqualTo(before + 4);
    }

    @Test
    void actuatorListsTheNamespaces() throws Exception {
        get("/weather/Vienna");
        get("/forecast/Vienna");
        HttpResponse<String> report = get("/actuator/cachekit");
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.body())
                .contains("\"backend\":\"memory\"")
                .contains("\"weather\":{")
                .contains("\"http\":{");
    }
}
