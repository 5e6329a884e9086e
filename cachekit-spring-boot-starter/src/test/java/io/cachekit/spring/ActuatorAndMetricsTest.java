package io.cachekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.spring.app.Calls;
import io.cachekit.spring.app.ProfileService;
import io.cachekit.spring.app.TestApplication;
import io.cachekit.spring.app.UserRepository;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The {@code cachekit} actuator endpoint and the Micrometer meters, over HTTP. */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ActuatorAndMetricsTest {
    @LocalServerPort
    int port;

    @Autowired
    ProfileService profiles;

    @Autowired
    UserRepository users;

    @Autowired
    MeterRegistry registry;

    @Autowired
    Calls calls;

    private Http http;

    @BeforeEach
    void setUp() {
        http = new Http(port);
    }

    @Test
    void endpointListsNamespacesWithTheirCounters() {
        profiles.report("actuator");
        profiles.report("actuator");
        users.find(4001);
        http.get("/api/profile/4001");

        HttpResponse<String> report = http.get("/actuator/cachekit");
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.body())
                .contains("\"backend\":\"memory\"")
                .contains("\"app\":{")
                .contains("\"http\":{")
                .contains("\"users\":{")
                .contains("\"reports\":{\"hits\":");

        HttpResponse<String> reports = http.get("/actuator/cachekit/reports");
        assertThat(reports.statusCode()).isEqualTo(200);
        assertThat(reports.body()).contains("\"hits\":").contains("\"hitRate\":");
        assertThat(http.get("/actuator/cachekit/never-used").statusCode()).isEqualTo(404);
    }

    @Test
    void deleteClearsOneNamespaceOnly() {
        profiles.report("clear-me");
        profiles.profile(4100);

        assertThat(http.send("DELETE", "/actuator/cachekit/reports").statusCode())
                .isEqualTo(204);
        profiles.report("clear-me"); // its namespace was cleared: runs again
        profiles.profile(4100); // another namespace: still cached
        assertThat(calls.get("report:clear-me")).isEqualTo(2);
        assertThat(calls.get("profile:4100")).isEqualTo(1);
        assertThat(http.send("DELETE", "/actuator/cachekit/not%20valid").statusCode())
                .isEqualTo(400);
    }

    @Test
    void metersArePublishedToTheApplicationsRegistry() {
        users.find(4200);
        users.find(4200);
        assertThat(registry.get("cache.gets")
                        .tag("cache", "users")
                        .tag("result", "hit")
                        .functionCounter()
                        .count())
                .isPositive();
        assertThat(registry.get("cache.puts")
                        .tag("cache", "users")
                        .functionCounter()
                        .count())
                .isPositive();
        assertThat(registry.get("cachekit.errors")
                        .tag("namespace", "users")
                        .tag("backend", "memory")
                        .functionCounter()
                        .count())
                .isZero();
    }

    /** The standard cache meters, as dashboards read them: through the actuator's metrics endpoint. */
    @Test
    void theActuatorsMetricsEndpointServesTheStandardCacheMeters() {
        HttpResponse<String> names = http.get("/actuator/metrics");
        assertThat(names.statusCode()).isEqualTo(200);
        assertThat(names.body()).contains("\"cache.gets\"").contains("\"cache.puts\"");

        users.find(4300); // a miss, then a load and a put
        users.find(4300); // a hit
        users.find(4300); // a hit
        HttpResponse<String> hits = http.get("/actuator/metrics/cache.gets?tag=cache:users&tag=result:hit");
        assertThat(hits.statusCode()).isEqualTo(200);
        assertThat(hits.body())
                .contains("\"name\":\"cache.gets\"")
                .containsPattern("\"statistic\":\"COUNT\",\"value\":[1-9]");
        assertThat(http.get("/actuator/metrics/cache.gets?tag=cache:users&tag=cache.manager:cachekit&tag=result:miss")
                        .body())
                .containsPattern("\"statistic\":\"COUNT\",\"value\":[1-9]");
        assertThat(http.get("/actuator/metrics/cache.gets").body())
                .as("the tags dashboards filter on")
                .contains("\"tag\":\"cache\"")
                .contains("\"tag\":\"cache.manager\"")
                .contains("\"tag\":\"name\"")
                .contains("\"tag\":\"result\"");
    }
}
