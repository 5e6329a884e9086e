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
        assertThat(registry.get("cachekit.gets")
                        .tag("namespace", "users")
                        .tag("result", "hit")
                        .functionCounter()
                        .count())
                .isPositive();
        assertThat(registry.get("cachekit.puts")
                        .tag("namespace", "users")
                        .functionCounter()
                        .count())
                .isPositive();
    }
}
