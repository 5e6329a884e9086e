package io.cachekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.Cache;
import io.cachekit.spring.app.Calls;
import io.cachekit.spring.app.ProfileService;
import io.cachekit.spring.app.TestApplication;
import io.cachekit.spring.app.User;
import io.cachekit.spring.app.UserRepository;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The store is down for the whole run: every endpoint still answers through its real handler, every cached
 * method still returns its real result, and each failure is counted.
 */
@SpringBootTest(
        classes = TestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "cachekit.backend=failing://")
class BackendDownTest {
    @LocalServerPort
    int port;

    @Autowired
    Calls calls;

    @Autowired
    Cache cache;

    @Autowired
    UserRepository users;

    @Autowired
    ProfileService profiles;

    @Autowired
    MeterRegistry registry;

    private Http http;

    @BeforeEach
    void setUp() {
        http = new Http(port);
    }

    @Test
    void responseCachingFailsOpenToTheHandler() {
        long errorsBefore = cache.withNamespace("http").stats().errors();
        HttpResponse<String> first = http.get("/api/profile/1");
        HttpResponse<String> second = http.get("/api/profile/1");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).isEqualTo("{\"id\":1,\"name\":\"user1\"}");
        assertThat(second.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(calls.get("http-profile:1")).isEqualTo(2);
        // each request: one failed read, and no write is tried after it
        assertThat(cache.withNamespace("http").stats().errors() - errorsBefore).isEqualTo(2);
    }

    @Test
    void springCacheableFailsOpenToTheMethod() throws Exception {
        assertThat(users.find(7)).isEqualTo(new User(7, "user7"));
        assertThat(users.find(7)).isEqualTo(new User(7, "user7"));
        assertThat(calls.get("find:7")).isEqualTo(2);

        assertThat(users.findSync(7)).isEqualTo(new User(7, "sync7"));
        assertThat(calls.get("findSync:7")).isEqualTo(1);

        assertThat(users.findAsync(7).get(10, TimeUnit.SECONDS)).isEqualTo(new User(7, "async7"));
        assertThat(users.findAsyncSync(7).get(10, TimeUnit.SECONDS)).isEqualTo(new User(7, "async-sync7"));
        assertThat(calls.get("findAsync:7")).isEqualTo(1);
        assertThat(calls.get("findAsyncSync:7")).isEqualTo(1);
        assertThat(cache.withNamespace("users").stats().errors()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void cachedMethodsFailOpenAndErrorsReachTheMetrics() {
        assertThat(profiles.profile(9)).isEqualTo(new User(9, "user9"));
        assertThat(profiles.profile(9)).isEqualTo(new User(9, "user9"));
        assertThat(calls.get("profile:9")).isEqualTo(2);
        double errors = registry.get("cachekit.errors")
                .tag("namespace", "app")
                .tag("backend", "unavailable")
                .functionCounter()
                .count();
        assertThat(errors).isGreaterThanOrEqualTo(2);
    }

    @Test
    void theActuatorReportsTheErrors() {
        http.get("/api/profile/2");
        HttpResponse<String> report = http.get("/actuator/cachekit/http");
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.body()).contains("\"errors\":").doesNotContain("\"errors\":0,");
        assertThat(http.get("/actuator/cachekit").body()).contains("\"backend\":\"unavailable\"");
    }
}
