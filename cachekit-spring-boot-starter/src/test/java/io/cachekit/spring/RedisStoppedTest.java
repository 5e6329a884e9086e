package io.cachekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.BackendStatus;
import io.cachekit.Cache;
import io.cachekit.spring.app.Calls;
import io.cachekit.spring.app.ProfileService;
import io.cachekit.spring.app.TestApplication;
import io.cachekit.spring.app.User;
import io.cachekit.spring.app.UserRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A Boot application on a real Redis (a redis-server process of the test's own) keeps answering while that server
 * is stopped, and caches again once it is back: response caching, {@code @Cached} methods and the {@code
 * @Cacheable} bridge answer from the real handlers and methods meanwhile. Runs on the Lettuce Spring Boot manages.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RedisStoppedTest {
    private static final int REDIS_PORT = freePort();
    private static final Path REDIS_DIR = tempDir();
    private static Process redis = startRedis();

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry properties) {
        properties.add("cachekit.backend", () -> "redis://127.0.0.1:" + REDIS_PORT);
        properties.add("cachekit.timeout", () -> "500ms");
        properties.add("cachekit.breaker-cool-off", () -> "1s");
    }

    @LocalServerPort
    int port;

    @Autowired
    Calls calls;

    @Autowired
    Cache cache;

    @Autowired
    ProfileService profiles;

    @Autowired
    UserRepository users;

    @AfterAll
    static void stopRedis() throws InterruptedException {
        stop();
    }

    @Test
    void answersEveryRequestWhileRedisIsStoppedAndCachesAgainOnceItIsBack() throws Exception {
        Http http = new Http(port);
        assertThat(cache.backendStatus()).isEqualTo(BackendStatus.UP);
        assertThat(http.get("/api/profile/31").headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(http.get("/api/profile/31").headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(calls.get("http-profile:31")).isEqualTo(1);

        stop();

        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = http.get("/api/profile/32");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"id\":32,\"name\":\"user32\"}");
            assertThat(response.headers().firstValue("X-Cache")).hasValue("MISS");
            assertThat(profiles.profile(33)).isEqualTo(new User(33, "user33"));
            assertThat(users.find(34)).isEqualTo(new User(34, "user34"));
        }
        assertThat(calls.get("http-profile:32"))
                .as("every request reached the handler")
                .isEqualTo(20);
        assertThat(calls.get("profile:33")).isEqualTo(20);
        assertThat(calls.get("find:34")).isEqualTo(20);
        assertThat(cache.backendStatus())
                .as("the breaker turned the dead store into fast failures")
                .isIn(BackendStatus.OPEN, BackendStatus.HALF_OPEN);
        assertThat(http.get("/actuator/cachekit").body()).containsPattern("\"backendStatus\":\"(HALF_)?OPEN\"");

        redis = startRedis();

        // Lettuce reconnects by itself; the breaker lets probe calls through after its cool-off and closes once
        // they succeed.
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    http.get("/api/profile/35");
                    assertThat(http.get("/api/profile/35").headers().firstValue("X-Cache"))
                            .hasValue("HIT");
                    assertThat(cache.backendStatus()).isEqualTo(BackendStatus.UP);
                });
    }

    private static Process startRedis() {
        try {
            Process p = new ProcessBuilder(List.of(
                            System.getProperty("cachekit.redis.server", "redis-server"),
                            "--bind",
                            "127.0.0.1",
                            "--port",
                            String.valueOf(REDIS_PORT),
                            "--save",
                            "",
                            "--appendonly",
                            "no",
                            "--dir",
                            REDIS_DIR.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(REDIS_DIR.resolve("redis.log").toFile())
                    .start();
            // Stopped by the test, or at the latest when this JVM exits, should the test end early.
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
            waitUntil(true);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "redis-server must be on the PATH (scripts/servers/redis.sh installs it)", e);
        }
    }

    private static void stop() throws InterruptedException {
        if (redis != null && redis.isAlive()) {
            redis.destroy();
            if (!redis.waitFor(10, TimeUnit.SECONDS)) {
                redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        waitUntil(false);
    }

    /**
     * Waits until the server's port answers (or no longer does). A plain loop on this thread: it also runs while
     * this class initializes, when another thread could not call into the class.
     */
    private static void waitUntil(boolean answering) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (answers(REDIS_PORT) != answering) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("redis-server on port " + REDIS_PORT + " still "
                        + (answering ? "does not answer" : "answers") + "; see " + REDIS_DIR.resolve("redis.log"));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static boolean answers(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("cachekit-starter-redis");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
