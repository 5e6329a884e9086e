package io.cachekit.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over real HTTP: concurrent refreshes and HEADs collapse into one handler run, and stale responses are served
 * while a slow handler refreshes them and while it fails (RFC 5861). No timing: the handlers wait on latches,
 * and the tests wait for counts.
 */
class CoalescingAndStaleFilterTest {
    @TempDir
    Path baseDir;

    private FilterFixture app;
    private final ExecutorService clients = Executors.newFixedThreadPool(20);
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean slow;
    private volatile boolean failing;

    @BeforeEach
    void start() throws Exception {
        app = new FilterFixture(baseDir, ResponseCachePolicy.defaults());
        app.policy(
                "/stale",
                ResponseCachePolicy.builder()
                        .ttl(Duration.ofSeconds(10))
                        .staleWhileRevalidate(Duration.ofSeconds(60))
                        .staleIfError(Duration.ofSeconds(300))
                        .build());
        FilterFixture.Handler gated = (req, res, n) -> {
            if (slow && !release.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the handler");
            }
            if (failing) {
                switch (req.getHeader("X-Fail") == null ? "throw" : req.getHeader("X-Fail")) {
                    case "503" -> {
                        res.setStatus(503);
                        res.getWriter().write("overloaded");
                    }
                    case "sendError" -> res.sendError(500, "failed");
                    default -> throw new IllegalStateException("handler failed on run " + n);
                }
                return;
            }
            res.setContentType("text/plain");
            res.getWriter().write("run " + n);
        };
        app.handle("/shared", gated).handle("/stale", gated).handle("/directive", (req, res, n) -> {
            res.setHeader("Cache-Control", "max-age=10, stale-while-revalidate=60");
            gated.handle(req, res, n);
        });
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        clients.shutdownNow();
        app.close();
    }

    private List<CompletableFuture<HttpResponse<String>>> concurrently(int n, String method, String... headers) {
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String m = method != null ? method : (i % 2 == 0 ? "HEAD" : "GET");
            responses.add(CompletableFuture.supplyAsync(() -> app.send(m, "/shared", null, headers), clients));
        }
        return responses;
    }

    @Test
    void twentyConcurrentNoCacheRequestsRunTheHandlerOnce() throws Exception {
        app.get("/shared");
        slow = true;
        List<CompletableFuture<HttpResponse<String>>> refreshes = concurrently(20, "GET", "Cache-Control", "no-cache");
        await().atMost(Duration.ofSeconds(30)).until(() -> app.responses.waitingRequests() == 19);
        release.countDown();

        int collapsed = 0;
        for (CompletableFuture<HttpResponse<String>> f : refreshes) {
            HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
            assertThat(r.body()).isEqualTo("run 2");
            assertThat(r.headers().firstValue("Cache-Status").orElseThrow()).startsWith("Cachekit; fwd=request");
            if (r.headers().firstValue("Cache-Status").orElseThrow().endsWith("; collapsed")) {
                collapsed++;
            }
        }
        assertThat(collapsed).isEqualTo(19);
        assertThat(app.runs("/shared"))
                .as("one run for the fill, one for all 20 refreshes")
                .isEqualTo(2);
        assertThat(app.get("/shared").body()).isEqualTo("run 2");
    }

    @Test
    void concurrentHeadsAndGetsOfAColdKeyRunTheHandlerOnce() throws Exception {
        slow = true;
        List<CompletableFuture<HttpResponse<String>>> requests = concurrently(20, null);
        await().atMost(Duration.ofSeconds(30)).until(() -> app.responses.waitingRequests() == 19);
        release.countDown();

        for (int i = 0; i < requests.size(); i++) {
            HttpResponse<String> r = requests.get(i).get(30, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Length")).hasValue("5");
            assertThat(r.body()).isEqualTo(i % 2 == 0 ? "" : "run 1");
        }
        assertThat(app.runs("/shared")).isEqualTo(1);
    }

    @Test
    void aStaleResponseIsServedAtOnceWhileTheSlowHandlerRefreshesItInTheBackground() throws Exception {
        assertThat(app.get("/stale").body()).isEqualTo("run 1");
        app.clock.advance(Duration.ofSeconds(15));
        slow = true;

        HttpResponse<String> stale = app.get("/stale");
        assertThat(stale.body()).isEqualTo("run 1");
        assertThat(stale.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(stale.headers().firstValue("Cache-Status")).hasValue("Cachekit; hit; ttl=-5");
        assertThat(stale.headers().firstValue("Age")).hasValue("15");
        assertThat(stale.headers().firstValue("Connection"))
                .as("its connection is busy with the refresh")
                .hasValue("close");
        await().atMost(Duration.ofSeconds(30)).until(() -> app.runs("/stale") == 2);

        HttpResponse<String> stillStale = app.get("/stale");
        assertThat(stillStale.body()).as("the refresh is still running").isEqualTo("run 1");
        assertThat(stillStale.headers().firstValue("Connection")).isEmpty();
        assertThat(app.runs("/stale")).as("one refresh at a time").isEqualTo(2);

        release.countDown();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> app.get("/stale").body().equals("run 2"));
        HttpResponse<String> fresh = app.get("/stale");
        assertThat(fresh.headers().firstValue("Cache-Status")).hasValue("Cachekit; hit; ttl=10");
        assertThat(app.runs("/stale")).isEqualTo(2);
    }

    @Test
    void theHandlersStaleWhileRevalidateDirectiveIsHonoured() throws Exception {
        app.get("/directive");
        app.clock.advance(Duration.ofSeconds(20));
        slow = true;
        HttpResponse<String> stale = app.get("/directive");
        assertThat(stale.body()).isEqualTo("run 1");
        assertThat(stale.headers().firstValue("Cache-Control")).hasValue("max-age=10, stale-while-revalidate=60");
        await().atMost(Duration.ofSeconds(30)).until(() -> app.runs("/directive") == 2);
        release.countDown();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> app.get("/directive").body().equals("run 2"));
    }

    @Test
    void aStaleResponseIsServedWhileTheHandlerThrowsOrAnswers5xx() {
        assertThat(app.get("/stale").body()).isEqualTo("run 1");
        app.clock.advance(Duration.ofSeconds(100)); // past the revalidation window, within stale-if-error
        failing = true;

        for (String how : List.of("throw", "503", "sendError")) {
            HttpResponse<String> r = app.get("/stale", "X-Fail", how);
            assertThat(r.statusCode()).as(how).isEqualTo(200);
            assertThat(r.body()).as(how).isEqualTo("run 1");
            assertThat(r.headers().firstValue("X-Cache")).hasValue("HIT");
            assertThat(r.headers().firstValue("Cache-Status").orElseThrow())
                    .startsWith("Cachekit; fwd=stale")
                    .endsWith("; ttl=-90; detail=stale-if-error");
        }
        assertThat(app.runs("/stale")).as("each request tried the handler").isEqualTo(4);

        failing = false;
        HttpResponse<String> recovered = app.get("/stale", "X-Fail", "throw");
        assertThat(recovered.body()).isEqualTo("run 5");
        assertThat(recovered.headers().firstValue("Cache-Status"))
                .hasValue("Cachekit; fwd=stale; fwd-status=200; ttl=10; stored");

        app.clock.advance(Duration.ofSeconds(400));
        failing = true;
        assertThat(app.get("/stale", "X-Fail", "503").statusCode())
                .as("past every window")
                .isEqualTo(503);
    }
}
