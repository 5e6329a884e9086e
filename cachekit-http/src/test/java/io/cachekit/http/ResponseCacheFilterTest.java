package io.cachekit.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.tck.UnavailableBackend;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.Cookie;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filter in a real servlet container, called over HTTP: what is stored and for how long, keys, compression,
 * Vary and the cache headers. Every assertion on caching counts the handler's runs.
 */
class ResponseCacheFilterTest {
    @TempDir
    Path baseDir;

    private FilterFixture app;

    @BeforeEach
    void start() throws Exception {
        start(null);
    }

    private void start(Cache store) throws Exception {
        app = new FilterFixture(
                baseDir,
                ResponseCachePolicy.builder()
                        .ttl(Duration.ofSeconds(60))
                        .maxBodyBytes(8000)
                        .perUserHeader("X-User")
                        .build(),
                store);
        app.handle("/items", (req, res, n) -> {
                    res.setCharacterEncoding(StandardCharsets.UTF_8);
                    res.setContentType("text/plain");
                    res.setHeader("X-Handler", "items");
                    res.setHeader("Content-Length", "12");
                    res.getWriter().write("items call " + n);
                })
                .handle("/stable", (req, res, n) -> res.getWriter().write("the same every time"))
                .handle("/me", (req, res, n) -> {
                    String user = req.getHeader("X-User");
                    res.getWriter().write("hello " + (user == null ? "nobody" : user));
                })
                .handle("/missing", (req, res, n) -> {
                    res.setStatus(404);
                    res.getWriter().write("no such thing " + n);
                })
                .handle("/error", (req, res, n) -> res.sendError(500, "failed"))
                .handle("/cookie", (req, res, n) -> {
                    res.addCookie(new Cookie("session", "s" + n));
                    res.getWriter().write("cookie " + n);
                })
                .handle("/private", (req, res, n) -> {
                    res.setHeader("Cache-Control", "private");
                    res.getWriter().write("private " + n);
                })
                .handle("/big", (req, res, n) -> {
                    for (int i = 0; i < 100; i++) {
                        res.getOutputStream().write("x".repeat(100).getBytes(StandardCharsets.UTF_8));
                    }
                })
                .handle("/echo", (req, res, n) -> res.getWriter().write(n + " " + req.getQueryString()))
                .handle("/host", (req, res, n) -> res.getWriter().write(n + " " + req.getServerName()))
                .handle("/async", (req, res, n) -> {
                    if (req.getDispatcherType() == DispatcherType.ASYNC) {
                        res.setContentType("text/plain");
                        res.getWriter().write("async call " + app.runs("/async"));
                        return;
                    }
                    AsyncContext async = req.startAsync(req, res);
                    async.start(async::dispatch);
                })
                .handle("/async-complete", (req, res, n) -> {
                    AsyncContext async = req.startAsync(req, res);
                    async.start(() -> {
                        try {
                            async.getResponse().getWriter().write("completed " + n);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        async.complete();
                    });
                });
    }

    @AfterEach
    void stop() throws Exception {
        app.close();
    }

    @Test
    void secondRequestIsAHitServedWithoutTheHandler() {
        HttpResponse<String> miss = app.get("/items?b=2&a=1");
        HttpResponse<String> hit = app.get("/items?a=1&b=2");

        assertThat(app.runs("/items")).isEqualTo(1);
        assertThat(miss.statusCode()).isEqualTo(200);
        assertThat(miss.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(miss.headers().firstValue("Cache-Status"))
                .hasValue("Cachekit; fwd=miss; fwd-status=200; ttl=60; stored");
        assertThat(hit.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(hit.headers().firstValue("Cache-Status")).hasValue("Cachekit; hit; ttl=60");
        assertThat(hit.body()).isEqualTo(miss.body()).isEqualTo("items call 1");
        assertThat(hit.headers().firstValue("Content-Type")).hasValue("text/plain;charset=UTF-8");
        assertThat(hit.headers().firstValue("X-Handler")).hasValue("items");
        assertThat(hit.headers().firstValue("ETag")).isEqualTo(miss.headers().firstValue("ETag"));
        assertThat(hit.headers().firstValue("Cache-Control")).hasValue("max-age=60");
        assertThat(hit.headers().firstValue("Age")).hasValue("0");
        assertThat(hit.headers().firstValue("Content-Length")).hasValue("12");

        app.clock.advance(Duration.ofSeconds(45));
        HttpResponse<String> older = app.get("/items?a=1&b=2");
        assertThat(older.headers().firstValue("Cache-Control"))
                .as("the lifetime: clients subtract Age themselves")
                .hasValue("max-age=60");
        assertThat(older.headers().firstValue("Age")).hasValue("45");
        assertThat(older.headers().firstValue("Cache-Status")).hasValue("Cachekit; hit; ttl=15");

        app.get("/items?a=2");
        assertThat(app.runs("/items")).isEqualTo(2);
    }

    @Test
    void repeatedParametersKeepTheirOrderWhileNamesAreSorted() {
        assertThat(app.get("/echo?x=2&x=1").body()).isEqualTo("1 x=2&x=1");
        assertThat(app.get("/echo?x=1&x=2").body()).as("another request").isEqualTo("2 x=1&x=2");
        assertThat(app.get("/echo?x=2&x=1").body()).isEqualTo("1 x=2&x=1");
        assertThat(app.get("/echo?b=1&a=2&a=3").body()).isEqualTo("3 b=1&a=2&a=3");
        assertThat(app.get("/echo?a=2&b=1&a=3").body()).isEqualTo("3 b=1&a=2&a=3");
        assertThat(app.runs("/echo")).isEqualTo(3);
    }

    @Test
    void theHostIsPartOfTheKey() {
        HttpResponse<String> first = app.sendTo("127.0.0.1", "GET", "/host", null);
        HttpResponse<String> other = app.sendTo("localhost", "GET", "/host", null);
        assertThat(first.body()).isEqualTo("1 127.0.0.1");
        assertThat(other.body()).isEqualTo("2 localhost");
        assertThat(app.sendTo("localhost", "GET", "/host", null).body()).isEqualTo("2 localhost");
        assertThat(app.sendTo("127.0.0.1", "GET", "/host", null).body()).isEqualTo("1 127.0.0.1");
        assertThat(app.runs("/host")).isEqualTo(2);
    }

    @Test
    void theHandlersFreshnessShortensTheTtlAndZeroIsNotStored() {
        app.handle("/max-age", (req, res, n) -> {
                    res.setHeader("Cache-Control", "public, max-age=5");
                    res.getWriter().write("five " + n);
                })
                .handle("/zero", (req, res, n) -> {
                    res.setHeader("Cache-Control", req.getParameter("cc"));
                    res.getWriter().write("zero " + n);
                })
                .handle("/expires", (req, res, n) -> {
                    res.setHeader(
                            "Expires",
                            DateTimeFormatter.RFC_1123_DATE_TIME.format(
                                    app.clock.instant().plusSeconds(3).atOffset(ZoneOffset.UTC)));
                    res.getWriter().write("expires " + n);
                });
        HttpResponse<String> miss = app.get("/max-age");
        assertThat(miss.headers().firstValue("Cache-Control")).hasValue("public, max-age=5");
        assertThat(app.get("/max-age").headers().firstValue("X-Cache")).hasValue("HIT");
        app.clock.advance(Duration.ofSeconds(5));
        assertThat(app.get("/max-age").body()).isEqualTo("five 2");

        for (String directives : new String[] {"max-age=0", "s-maxage=0,max-age=60", "private,no-store", "no-cache"}) {
            app.get("/zero?cc=" + directives);
            HttpResponse<String> again = app.get("/zero?cc=" + directives);
            assertThat(again.headers().firstValue("X-Cache")).as(directives).hasValue("MISS");
            assertThat(again.headers().firstValue("Cache-Status").orElseThrow()).doesNotContain("stored");
        }
        assertThat(app.runs("/zero")).isEqualTo(8);

        app.get("/expires");
        app.clock.advance(Duration.ofSeconds(2));
        assertThat(app.get("/expires").body()).isEqualTo("expires 1");
        app.clock.advance(Duration.ofSeconds(1));
        assertThat(app.get("/expires").body()).isEqualTo("expires 2");
    }

    @Test
    void ifNoneMatchGivesNotModified() {
        String etag = app.get("/items").headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> notModified = app.get("/items", "If-None-Match", "\"other\", W/" + etag);

        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
        assertThat(notModified.headers().firstValue("ETag")).hasValue(etag);
        assertThat(notModified.headers().firstValue("Cache-Control")).hasValue("max-age=60");
        assertThat(notModified.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(app.get("/items", "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
        assertThat(app.runs("/items")).isEqualTo(1);

        String stable = app.get("/stable").headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> refreshed = app.get("/stable", "If-None-Match", stable, "Cache-Control", "no-cache");
        assertThat(refreshed.statusCode())
                .as("the handler ran, its response matches")
                .isEqualTo(304);
        assertThat(refreshed.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(app.runs("/stable")).isEqualTo(2);
    }

    @Test
    void noStoreBypassesAndNoCacheRefreshes() {
        app.get("/items");
        HttpResponse<String> bypass = app.get("/items", "Cache-Control", "no-store");
        assertThat(bypass.body()).isEqualTo("items call 2");
        assertThat(bypass.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(bypass.headers().firstValue("Cache-Status")).hasValue("Cachekit; fwd=request; fwd-status=200");
        assertThat(app.get("/items").body()).isEqualTo("items call 1");

        HttpResponse<String> refreshed = app.get("/items", "Cache-Control", "no-cache");
        assertThat(refreshed.body()).isEqualTo("items call 3");
        assertThat(refreshed.headers().firstValue("Cache-Status"))
                .hasValue("Cachekit; fwd=request; fwd-status=200; ttl=60; stored");
        HttpResponse<String> after = app.get("/items");
        assertThat(after.body()).isEqualTo("items call 3");
        assertThat(after.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(app.runs("/items")).isEqualTo(3);
    }

    @Test
    void clientDirectivesAreIgnoredWhenThePolicySaysSo() {
        app.policy(
                "/items",
                ResponseCachePolicy.builder()
                        .requestCacheControl(ResponseCachePolicy.RequestCacheControl.IGNORE)
                        .build());
        app.get("/items");
        assertThat(app.get("/items", "Cache-Control", "no-cache").headers().firstValue("X-Cache"))
                .hasValue("HIT");
        assertThat(app.get("/items", "Cache-Control", "no-store").headers().firstValue("X-Cache"))
                .hasValue("HIT");
        assertThat(app.runs("/items")).isEqualTo(1);
    }

    @Test
    void usersNeverReceiveEachOthersResponses() {
        HttpResponse<String> alice = app.get("/me", "X-User", "alice");
        HttpResponse<String> bob = app.get("/me", "X-User", "bob");
        HttpResponse<String> aliceAgain = app.get("/me", "X-User", "alice");
        HttpResponse<String> bobAgain = app.get("/me", "X-User", "bob");
        HttpResponse<String> anonymous = app.get("/me");

        assertThat(alice.body()).isEqualTo("hello alice");
        assertThat(bob.body()).isEqualTo("hello bob");
        assertThat(aliceAgain.body()).isEqualTo("hello alice");
        assertThat(aliceAgain.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(bobAgain.body()).isEqualTo("hello bob");
        assertThat(bobAgain.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(aliceAgain.headers().firstValue("Cache-Control")).hasValue("private, max-age=60");
        assertThat(aliceAgain.headers().firstValue("Vary")).hasValue("x-user");
        assertThat(anonymous.body()).isEqualTo("hello nobody");
        assertThat(app.runs("/me")).isEqualTo(3);
    }

    @Test
    void credentialsOutsideTheKeyAreNeverCached() {
        app.get("/items", "Authorization", "Bearer a");
        HttpResponse<String> second = app.get("/items", "Authorization", "Bearer b");
        assertThat(second.body()).isEqualTo("items call 2");
        assertThat(second.headers().firstValue("X-Cache")).isEmpty();
        assertThat(second.headers().firstValue("Cache-Status")).hasValue("Cachekit; fwd=bypass");
        assertThat(app.runs("/items")).isEqualTo(2);
    }

    @Test
    void errorsAndUnsafeRequestsAreNotCached() {
        assertThat(app.get("/missing").statusCode()).isEqualTo(404);
        HttpResponse<String> again = app.get("/missing");
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(again.body()).isEqualTo("no such thing 2");
        assertThat(again.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(again.headers().firstValue("Cache-Status")).hasValue("Cachekit; fwd=miss; fwd-status=404");
        assertThat(app.runs("/missing")).isEqualTo(2);

        assertThat(app.get("/error").statusCode()).isEqualTo(500);
        assertThat(app.get("/error").statusCode()).isEqualTo(500);
        assertThat(app.runs("/error")).isEqualTo(2);

        app.send("POST", "/items", "x");
        HttpResponse<String> post = app.send("POST", "/items", "x");
        assertThat(post.body()).isEqualTo("items call 2");
        assertThat(post.headers().firstValue("X-Cache")).isEmpty();
        assertThat(app.runs("/items")).isEqualTo(2);
    }

    @Test
    void cookiesAndPrivateResponsesAreNotCached() {
        app.get("/cookie");
        HttpResponse<String> cookie = app.get("/cookie");
        assertThat(cookie.headers().firstValue("Set-Cookie")).hasValue("session=s2");
        assertThat(cookie.body()).isEqualTo("cookie 2");
        assertThat(app.runs("/cookie")).isEqualTo(2);

        app.get("/private");
        app.get("/private");
        assertThat(app.runs("/private")).isEqualTo(2);
    }

    @Test
    void bodiesOverTheLimitStreamThroughAndAreNotCached() {
        HttpResponse<String> big = app.get("/big");
        HttpResponse<String> again = app.get("/big");
        assertThat(big.body()).hasSize(10000).isEqualTo("x".repeat(10000));
        assertThat(again.body()).hasSize(10000);
        assertThat(again.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(again.headers().firstValue("Cache-Status")).hasValue("Cachekit; fwd=miss");
        assertThat(app.runs("/big")).isEqualTo(2);
    }

    @Test
    void headIsAnsweredFromTheGetEntry() {
        app.get("/items");
        HttpResponse<String> head = app.send("HEAD", "/items", null);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(head.headers().firstValue("Content-Length")).hasValue("12");
        assertThat(app.runs("/items")).isEqualTo(1);

        HttpResponse<String> coldHead = app.send("HEAD", "/stable", null);
        assertThat(coldHead.headers().firstValue("Content-Length")).hasValue("19");
        assertThat(app.get("/stable").headers().firstValue("X-Cache"))
                .as("the HEAD ran the handler as a GET and filled its entry")
                .hasValue("HIT");
        assertThat(app.runs("/stable")).isEqualTo(1);
    }

    @Test
    void theHandlersVarySelectsVariantsAndVaryStarIsNeverStored() {
        app.handle("/lang", (req, res, n) -> {
                    res.setHeader("Vary", "Accept-Language");
                    res.getWriter().write(req.getHeader("Accept-Language") + " " + n);
                })
                .handle("/star", (req, res, n) -> {
                    res.setHeader("Vary", "*");
                    res.getWriter().write("star " + n);
                });
        assertThat(app.get("/lang", "Accept-Language", "en").body()).isEqualTo("en 1");
        assertThat(app.get("/lang", "Accept-Language", "de").body()).isEqualTo("de 2");
        HttpResponse<String> english = app.get("/lang", "Accept-Language", "en");
        assertThat(english.body()).isEqualTo("en 1");
        assertThat(english.headers().firstValue("Vary")).hasValue("Accept-Language, x-user");
        assertThat(app.get("/lang", "Accept-Language", "de").body()).isEqualTo("de 2");
        assertThat(app.get("/lang").body()).isEqualTo("null 3");
        assertThat(app.runs("/lang")).isEqualTo(3);

        app.get("/star");
        assertThat(app.get("/star").body()).isEqualTo("star 2");
    }

    @Test
    void compressibleResponsesAreSentGzipToClientsThatAcceptItWithAValidatorPerEncoding() throws IOException {
        String json = "{\"items\":[" + "\"item\",".repeat(500) + "\"last\"]}";
        app.handle("/json", (req, res, n) -> {
            res.setContentType("application/json");
            res.getWriter().write(json);
        });
        HttpResponse<byte[]> gzipMiss = app.sendForBytes("127.0.0.1", "GET", "/json", null, "Accept-Encoding", "gzip");
        HttpResponse<byte[]> gzipHit = app.sendForBytes("127.0.0.1", "GET", "/json", null, "Accept-Encoding", "gzip");
        HttpResponse<String> plain = app.get("/json");

        assertThat(gzipMiss.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(gzipHit.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(gzipHit.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(gunzip(gzipHit.body())).isEqualTo(json);
        assertThat(gzipHit.body().length).isLessThan(json.length());
        assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(plain.body()).isEqualTo(json);
        assertThat(plain.headers().firstValue("Vary")).hasValue("x-user, Accept-Encoding");
        assertThat(gzipHit.headers().firstValue("Vary")).hasValue("x-user, Accept-Encoding");
        String gzipTag = gzipHit.headers().firstValue("ETag").orElseThrow();
        String plainTag = plain.headers().firstValue("ETag").orElseThrow();
        assertThat(gzipTag).isNotEqualTo(plainTag).endsWith("-gzip\"");

        assertThat(app.get("/json", "Accept-Encoding", "gzip", "If-None-Match", gzipTag)
                        .statusCode())
                .isEqualTo(304);
        assertThat(app.get("/json", "If-None-Match", plainTag).statusCode()).isEqualTo(304);
        assertThat(app.get("/json", "If-None-Match", gzipTag).statusCode()).isEqualTo(200);
        assertThat(app.runs("/json")).isEqualTo(1);
    }

    @Test
    void asyncResponsesAreCapturedWhenTheirDispatchEnds() {
        HttpResponse<String> first = app.get("/async");
        HttpResponse<String> second = app.get("/async");
        assertThat(first.body()).isEqualTo("async call 1");
        assertThat(first.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(second.body()).isEqualTo("async call 1");
        assertThat(second.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(app.runs("/async")).isEqualTo(1);
    }

    @Test
    void asyncResponsesCompletedWithoutDispatchAreSentButNotStored() {
        assertThat(app.get("/async-complete").body()).isEqualTo("completed 1");
        assertThat(app.get("/async-complete").body()).isEqualTo("completed 2");
    }

    @Test
    void aFixedPolicyCannotCachePost() {
        ResponseCachePolicy posts =
                ResponseCachePolicy.builder().cachePost(true).build();
        assertThatThrownBy(() -> new ResponseCacheFilter(app.responses, posts))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("per path");
    }

    @Test
    void theApiStillAnswersWhenTheStoreIsDown() throws Exception {
        app.close();
        UnavailableBackend backend = new UnavailableBackend();
        Cache down = Cachekit.create(CachekitConfig.builder().namespace("http").build(), backend);
        start(down);
        HttpResponse<String> first = app.get("/items");
        HttpResponse<String> second = app.get("/items");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.body()).isEqualTo("items call 2");
        assertThat(second.headers().firstValue("Cache-Status").orElseThrow()).contains("detail=store-");
        assertThat(app.runs("/items")).isEqualTo(2);
        assertThat(down.stats().errors()).as("one failed read per request").isEqualTo(2);
        assertThat(backend.failures()).isEqualTo(2);
    }

    @Test
    void aDisabledCacheLeavesEveryRequestUntouched() throws Exception {
        app.close();
        start(Cachekit.create(
                CachekitConfig.builder().backend("memory://").enabled(false).build()));
        app.get("/items");
        HttpResponse<String> second = app.get("/items");
        assertThat(second.body()).isEqualTo("items call 2");
        assertThat(second.headers().firstValue("X-Cache")).isEmpty();
        assertThat(second.headers().firstValue("Cache-Status")).isEmpty();
        assertThat(app.get("/items", "Authorization", "Bearer x").headers().firstValue("Cache-Status"))
                .isEmpty();
        assertThat(app.runs("/items")).isEqualTo(3);
    }

    static String gunzip(byte[] bytes) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
