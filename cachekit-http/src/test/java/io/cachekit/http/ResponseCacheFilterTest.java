package io.cachekit.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.tck.ManualClock;
import io.cachekit.tck.UnavailableBackend;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The filter in a real servlet container, called over HTTP; the servlet counts its calls per path. */
class ResponseCacheFilterTest {
    @TempDir
    Path baseDir;

    private final ManualClock clock = new ManualClock(Instant.ofEpochMilli(1_700_000_000_000L));
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final HttpClient client = HttpClient.newHttpClient();
    private Cache cache;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        cache = Cachekit.create(CachekitConfig.builder()
                .backend("memory://")
                .namespace("http")
                .clock(clock)
                .build());
        start(cache);
    }

    private void start(Cache responses) throws Exception {
        ResponseCachePolicy policy = ResponseCachePolicy.builder()
                .ttl(Duration.ofSeconds(60))
                .maxBodyBytes(1000)
                .perUserHeader("X-User")
                .build();
        server = new TestServer(baseDir, new ResponseCacheFilter(new HttpResponseCache(responses), policy), new App());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        cache.close();
    }

    private int calls(String path) {
        return calls.computeIfAbsent(path, p -> new AtomicInteger()).get();
    }

    private HttpResponse<String> send(String method, String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port + pathAndQuery))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
        return send("GET", pathAndQuery, headers);
    }

    @Test
    void secondRequestIsAHitServedWithoutTheHandler() throws Exception {
        HttpResponse<String> miss = get("/items?b=2&a=1");
        HttpResponse<String> hit = get("/items?a=1&b=2");

        assertThat(calls("/items")).isEqualTo(1);
        assertThat(miss.statusCode()).isEqualTo(200);
        assertThat(miss.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(hit.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(hit.body()).isEqualTo(miss.body()).isEqualTo("items call 1");
        assertThat(hit.headers().firstValue("Content-Type")).hasValue("text/plain;charset=UTF-8");
        assertThat(hit.headers().firstValue("X-Handler")).hasValue("items");
        assertThat(hit.headers().firstValue("ETag")).isEqualTo(miss.headers().firstValue("ETag"));
        assertThat(hit.headers().firstValue("Cache-Control")).hasValue("max-age=60");
        assertThat(hit.headers().firstValue("Age")).hasValue("0");
        assertThat(hit.headers().firstValue("Content-Length")).hasValue("12");

        clock.advance(Duration.ofSeconds(45));
        HttpResponse<String> older = get("/items?a=1&b=2");
        assertThat(older.headers().firstValue("Cache-Control")).hasValue("max-age=15");
        assertThat(older.headers().firstValue("Age")).hasValue("45");

        get("/items?a=2");
        assertThat(calls("/items")).isEqualTo(2);
    }

    @Test
    void ifNoneMatchGivesNotModified() throws Exception {
        String etag = get("/items").headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> notModified = get("/items", "If-None-Match", "\"other\", W/" + etag);

        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
        assertThat(notModified.headers().firstValue("ETag")).hasValue(etag);
        assertThat(notModified.headers().firstValue("Cache-Control")).hasValue("max-age=60");
        assertThat(notModified.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(get("/items", "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
        assertThat(calls("/items")).isEqualTo(1);
    }

    @Test
    void ifNoneMatchOnAMissAlsoGivesNotModified() throws Exception {
        String etag = get("/stable").headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> refreshed = get("/stable", "If-None-Match", etag, "Cache-Control", "no-cache");
        assertThat(refreshed.statusCode()).isEqualTo(304);
        assertThat(refreshed.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(refreshed.headers().firstValue("ETag")).hasValue(etag);
        assertThat(refreshed.body()).isEmpty();
        assertThat(calls("/stable")).isEqualTo(2);
    }

    @Test
    void noStoreBypassesAndNoCacheRefreshes() throws Exception {
        get("/items");
        HttpResponse<String> bypass = get("/items", "Cache-Control", "no-store");
        assertThat(bypass.body()).isEqualTo("items call 2");
        assertThat(bypass.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(get("/items").body()).isEqualTo("items call 1");

        HttpResponse<String> refreshed = get("/items", "Cache-Control", "no-cache");
        assertThat(refreshed.body()).isEqualTo("items call 3");
        assertThat(refreshed.headers().firstValue("X-Cache")).hasValue("MISS");
        HttpResponse<String> after = get("/items");
        assertThat(after.body()).isEqualTo("items call 3");
        assertThat(after.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(calls("/items")).isEqualTo(3);
    }

    @Test
    void usersNeverReceiveEachOthersResponses() throws Exception {
        HttpResponse<String> alice = get("/me", "X-User", "alice");
        HttpResponse<String> bob = get("/me", "X-User", "bob");
        HttpResponse<String> aliceAgain = get("/me", "X-User", "alice");
        HttpResponse<String> bobAgain = get("/me", "X-User", "bob");
        HttpResponse<String> anonymous = get("/me");

        assertThat(alice.body()).isEqualTo("hello alice");
        assertThat(bob.body()).isEqualTo("hello bob");
        assertThat(aliceAgain.body()).isEqualTo("hello alice");
        assertThat(aliceAgain.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(bobAgain.body()).isEqualTo("hello bob");
        assertThat(bobAgain.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(aliceAgain.headers().firstValue("Cache-Control")).hasValue("private, max-age=60");
        assertThat(aliceAgain.headers().firstValue("Vary")).hasValue("x-user");
        assertThat(anonymous.body()).isEqualTo("hello nobody");
        assertThat(calls("/me")).isEqualTo(3);
    }

    @Test
    void credentialsOutsideTheKeyAreNeverCached() throws Exception {
        get("/items", "Authorization", "Bearer a");
        HttpResponse<String> second = get("/items", "Authorization", "Bearer b");
        assertThat(second.body()).isEqualTo("items call 2");
        assertThat(second.headers().firstValue("X-Cache")).isEmpty();
        assertThat(calls("/items")).isEqualTo(2);
    }

    @Test
    void errorsAndNonGetRequestsAreNotCached() throws Exception {
        assertThat(get("/missing").statusCode()).isEqualTo(404);
        HttpResponse<String> again = get("/missing");
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(again.body()).isEqualTo("no such thing 2");
        assertThat(again.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(calls("/missing")).isEqualTo(2);

        assertThat(get("/error").statusCode()).isEqualTo(500);
        assertThat(get("/error").statusCode()).isEqualTo(500);
        assertThat(calls("/error")).isEqualTo(2);

        send("POST", "/items");
        HttpResponse<String> post = send("POST", "/items");
        assertThat(post.body()).isEqualTo("items call 2");
        assertThat(post.headers().firstValue("X-Cache")).isEmpty();
        assertThat(calls("/items")).isEqualTo(2);
    }

    @Test
    void cookiesAndPrivateResponsesAreNotCached() throws Exception {
        get("/cookie");
        HttpResponse<String> cookie = get("/cookie");
        assertThat(cookie.headers().firstValue("Set-Cookie")).isPresent();
        assertThat(calls("/cookie")).isEqualTo(2);

        get("/private");
        get("/private");
        assertThat(calls("/private")).isEqualTo(2);
    }

    @Test
    void bodiesOverTheLimitStreamThroughAndAreNotCached() throws Exception {
        HttpResponse<String> big = get("/big");
        HttpResponse<String> again = get("/big");
        assertThat(big.body()).hasSize(5000).isEqualTo("x".repeat(5000));
        assertThat(again.body()).hasSize(5000);
        assertThat(again.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(calls("/big")).isEqualTo(2);
    }

    @Test
    void headIsAnsweredFromTheGetEntry() throws Exception {
        get("/items");
        HttpResponse<String> head = send("HEAD", "/items");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(head.headers().firstValue("Content-Length")).hasValue("12");
        assertThat(calls("/items")).isEqualTo(1);
    }

    @Test
    void asyncResponsesAreCapturedWhenTheirDispatchEnds() throws Exception {
        HttpResponse<String> first = get("/async");
        HttpResponse<String> second = get("/async");
        assertThat(first.body()).isEqualTo("async call 1");
        assertThat(first.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(second.body()).isEqualTo("async call 1");
        assertThat(second.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(calls("/async")).isEqualTo(1);
    }

    @Test
    void asyncResponsesCompletedWithoutDispatchAreSentButNotStored() throws Exception {
        assertThat(get("/async-complete").body()).isEqualTo("completed 1");
        assertThat(get("/async-complete").body()).isEqualTo("completed 2");
    }

    @Test
    void theApiStillAnswersWhenTheStoreIsDown() throws Exception {
        server.close();
        UnavailableBackend backend = new UnavailableBackend();
        try (Cache down =
                Cachekit.create(CachekitConfig.builder().namespace("http").build(), backend)) {
            start(down);
            HttpResponse<String> first = get("/items");
            HttpResponse<String> second = get("/items");
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(second.body()).isEqualTo("items call 2");
            assertThat(calls("/items")).isEqualTo(2);
            assertThat(down.stats().errors()).isEqualTo(4);
            assertThat(backend.failures()).isEqualTo(4);
        }
    }

    /** Routes by path; every call is counted before it answers. */
    private final class App extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
            String path = req.getRequestURI();
            if (req.getDispatcherType() == DispatcherType.ASYNC) {
                res.setContentType("text/plain");
                res.getWriter().write("async call " + calls(path));
                return;
            }
            int n = calls.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            res.setCharacterEncoding(StandardCharsets.UTF_8);
            switch (path) {
                case "/items", "/cookie", "/private" -> {
                    res.setContentType("text/plain");
                    res.setHeader("X-Handler", "items");
                    res.setHeader("Content-Length", "12");
                    if (path.equals("/cookie")) {
                        res.addCookie(new Cookie("session", "s" + n));
                    }
                    if (path.equals("/private")) {
                        res.setHeader("Cache-Control", "private");
                    }
                    res.getWriter().write("items call " + n);
                }
                case "/stable" -> res.getWriter().write("the same every time");
                case "/me" -> {
                    String user = req.getHeader("X-User");
                    res.getWriter().write("hello " + (user == null ? "nobody" : user));
                }
                case "/missing" -> {
                    res.setStatus(404);
                    res.getWriter().write("no such thing " + n);
                }
                case "/error" -> res.sendError(500, "failed");
                case "/big" -> {
                    for (int i = 0; i < 50; i++) {
                        res.getOutputStream().write("x".repeat(100).getBytes(StandardCharsets.UTF_8));
                    }
                }
                case "/async" -> {
                    AsyncContext async = req.startAsync(req, res);
                    async.start(async::dispatch);
                }
                case "/async-complete" -> {
                    AsyncContext async = req.startAsync(req, res);
                    async.start(() -> {
                        try {
                            async.getResponse().getWriter().write("completed " + n);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        async.complete();
                    });
                }
                default -> res.sendError(404);
            }
        }
    }
}
