package io.cachekit.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over real HTTP: writes invalidate every variant of their URL (RFC 9111 section 4.4), purge by URL, POST
 * caching per path, and tags read from a response header that never leaves. Counts the handlers' runs.
 */
class InvalidationFilterTest {
    @TempDir
    Path baseDir;

    private FilterFixture app;

    @BeforeEach
    void start() throws Exception {
        app = new FilterFixture(
                baseDir,
                ResponseCachePolicy.builder()
                        .perUserHeader("X-User")
                        .tagHeader("Surrogate-Key")
                        .build());
        app.policy(
                "/search",
                ResponseCachePolicy.builder()
                        .cachePost(true)
                        .tagHeader("Surrogate-Key")
                        .build());
        app.handle("/items/7", (req, res, n) -> {
                    switch (req.getMethod()) {
                        case "PUT" -> res.setStatus(204);
                        case "PATCH" -> {
                            res.setStatus(409);
                            res.getWriter().write("conflict");
                        }
                        case "DELETE" -> res.sendError(404);
                        default -> {
                            res.setHeader("Vary", "Accept-Language");
                            res.setHeader("Surrogate-Key", "item:7 items");
                            res.getWriter()
                                    .write("item 7 run " + n + " for " + req.getHeader("X-User") + "/"
                                            + req.getHeader("Accept-Language"));
                        }
                    }
                })
                .handle("/items", (req, res, n) -> {
                    if (req.getMethod().equals("POST")) {
                        res.setStatus(201);
                        res.setHeader("Location", "/items/7");
                        res.setHeader("Content-Location", "http://elsewhere.example/items");
                        return;
                    }
                    res.getWriter().write("list run " + n);
                })
                .handle("/moved", (req, res, n) -> res.sendRedirect("/items/7"))
                .handle("/search", (req, res, n) -> {
                    String form = req.getParameter("q");
                    String body = form != null
                            ? "form q=" + form
                            : new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    res.setContentType("application/json");
                    res.getWriter().write("{\"run\":" + n + ",\"for\":\"" + body.replace("\"", "'") + "\"}");
                });
    }

    @AfterEach
    void stop() throws Exception {
        app.close();
    }

    private void fillVariants() {
        for (String user : List.of("alice", "bob")) {
            for (String language : List.of("en", "de")) {
                app.get("/items/7", "X-User", user, "Accept-Language", language);
            }
        }
        app.get("/items");
        app.sendTo("localhost", "GET", "/items/7", null, "X-User", "alice", "Accept-Language", "en");
    }

    private void assertEveryVariantIs(String xCache) {
        for (String user : List.of("alice", "bob")) {
            for (String language : List.of("en", "de")) {
                assertThat(app.get("/items/7", "X-User", user, "Accept-Language", language)
                                .headers()
                                .firstValue("X-Cache"))
                        .as(user + "/" + language)
                        .hasValue(xCache);
            }
        }
    }

    @Test
    void aSuccessfulWriteInvalidatesEveryVariantOfItsUrl() {
        fillVariants();
        assertThat(app.runs("/items/7")).isEqualTo(5);
        assertEveryVariantIs("HIT");
        assertThat(app.runs("/items/7")).isEqualTo(5);

        HttpResponse<String> put = app.send("PUT", "/items/7", "{}");
        assertThat(put.statusCode()).isEqualTo(204);
        assertThat(put.headers().firstValue("X-Cache")).isEmpty();
        assertEveryVariantIs("MISS");
        assertThat(app.sendTo("localhost", "GET", "/items/7", null, "X-User", "alice", "Accept-Language", "en")
                        .headers()
                        .firstValue("X-Cache"))
                .as("every host")
                .hasValue("MISS");
        assertThat(app.runs("/items/7")).isEqualTo(5 + 1 + 4 + 1);
        assertThat(app.get("/items").headers().firstValue("X-Cache"))
                .as("another URL")
                .hasValue("HIT");
    }

    @Test
    void failedWritesInvalidateNothing() {
        fillVariants();
        assertThat(app.send("PATCH", "/items/7", "{}").statusCode()).isEqualTo(409);
        assertThat(app.send("DELETE", "/items/7", null).statusCode()).isEqualTo(404);
        assertEveryVariantIs("HIT");
    }

    @Test
    void theSameOriginLocationIsInvalidatedAndAnotherOriginsIsNot() {
        fillVariants();
        HttpResponse<String> created = app.send("POST", "/items", "{}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(app.get("/items").headers().firstValue("X-Cache"))
                .as("the target URI")
                .hasValue("MISS");
        assertEveryVariantIs("MISS");

        fillVariants();
        assertThat(app.send("POST", "/moved", "{}").statusCode())
                .as("a redirect")
                .isEqualTo(302);
        assertEveryVariantIs("MISS");
    }

    @Test
    void purgeRemovesEveryVariantOfAUrl() {
        fillVariants();
        app.responses.purge("http://any.example/items/7");
        assertEveryVariantIs("MISS");
        assertThat(app.get("/items").headers().firstValue("X-Cache")).hasValue("HIT");
        app.responses.purge("/items");
        assertThat(app.get("/items").headers().firstValue("X-Cache")).hasValue("MISS");
    }

    @Test
    void purgeByTagRemovesEveryResponseCarryingTheTag() {
        fillVariants();
        app.handle("/other", (req, res, n) -> {
            res.setHeader("Surrogate-Key", "items other");
            res.getWriter().write("other run " + n);
        });
        app.get("/other");
        assertThat(app.get("/other").headers().firstValue("X-Cache")).hasValue("HIT");

        app.responses.purgeTags("item:7");
        assertEveryVariantIs("MISS");
        assertThat(app.get("/other").headers().firstValue("X-Cache"))
                .as("not tagged item:7")
                .hasValue("HIT");
        assertThat(app.get("/items").headers().firstValue("X-Cache"))
                .as("untagged")
                .hasValue("HIT");

        app.responses.purgeTags("items");
        assertThat(app.get("/other").headers().firstValue("X-Cache")).hasValue("MISS");
        assertEveryVariantIs("MISS");
        assertThat(app.runs("/other")).isEqualTo(2);
    }

    @Test
    void postIsCachedOnlyOnPathsThatOptInAndThenByItsBody() {
        HttpResponse<String> first = app.send("POST", "/search", "{\"q\":\"red\"}", "Content-Type", "application/json");
        HttpResponse<String> same = app.send("POST", "/search", "{\"q\":\"red\"}", "Content-Type", "application/json");
        HttpResponse<String> other =
                app.send("POST", "/search", "{\"q\":\"blue\"}", "Content-Type", "application/json");
        assertThat(first.body()).isEqualTo("{\"run\":1,\"for\":\"{'q':'red'}\"}");
        assertThat(first.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(same.body()).isEqualTo(first.body());
        assertThat(same.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(other.body()).isEqualTo("{\"run\":2,\"for\":\"{'q':'blue'}\"}");
        assertThat(app.send("POST", "/search", "{\"q\":\"red\"}", "Content-Type", "text/plain")
                        .body())
                .as("another content type")
                .contains("\"run\":3");
        assertThat(app.get("/search").body()).as("a GET is another request").contains("\"run\":4");
        assertThat(app.runs("/search")).isEqualTo(4);

        HttpResponse<String> form =
                app.send("POST", "/search", "q=green", "Content-Type", "application/x-www-form-urlencoded");
        assertThat(form.body()).as("forms pass through with their parameters").contains("form q=green");
        app.send("POST", "/search", "q=green", "Content-Type", "application/x-www-form-urlencoded");
        assertThat(app.runs("/search")).isEqualTo(6);

        app.send("POST", "/items", "{}");
        app.send("POST", "/items", "{}");
        assertThat(app.runs("/items")).as("POST elsewhere is never cached").isEqualTo(2);
    }

    @Test
    void tagsComeFromTheTagHeaderWhichNeverLeaves() throws Exception {
        HttpResponse<String> miss = app.get("/items/7", "Accept-Language", "en");
        HttpResponse<String> hit = app.get("/items/7", "Accept-Language", "en");
        assertThat(miss.headers().firstValue("Surrogate-Key")).isEmpty();
        assertThat(hit.headers().firstValue("Surrogate-Key")).isEmpty();
        assertThat(hit.headers().firstValue("X-Cache")).hasValue("HIT");
        HttpResponse<String> bypassed = app.get("/items/7", "Accept-Language", "en", "Authorization", "Bearer x");
        assertThat(bypassed.headers().firstValue("Cache-Status")).hasValue("Cachekit; fwd=bypass");
        assertThat(bypassed.headers().firstValue("Surrogate-Key"))
                .as("nor from requests the cache passes")
                .isEmpty();

        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("accept-language", List.of("en"));
        HttpRequestView view = new HttpResponseCacheTest.Request(
                "GET", "http", "127.0.0.1:" + app.port(), "/items/7", null, headers, null);
        ServedResponse stored = app.responses.serve(
                app.responses.plan(
                        view,
                        ResponseCachePolicy.builder().perUserHeader("X-User").build()),
                hold -> {
                    throw new AssertionError("the handler must not run");
                });
        assertThat(stored.stored().tags()).containsExactly("item:7", "items");
    }

    @Test
    void aStreamingWriteIsSentWhenFlushedAndHasInvalidatedBeforeItsFirstByte() throws Exception {
        CountDownLatch finish = new CountDownLatch(1);
        app.handle("/events", (req, res, n) -> {
            if (req.getMethod().equals("GET")) {
                res.getWriter().write("events run " + n);
                return;
            }
            res.setContentType("text/event-stream");
            res.getWriter().write("data: first\n\n");
            res.flushBuffer();
            if (!finish.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never finished the stream");
            }
            res.getWriter().write("data: last\n\n");
        });
        app.get("/events");
        assertThat(app.get("/events").headers().firstValue("X-Cache")).hasValue("HIT");

        HttpResponse<java.io.InputStream> stream = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/events"))
                                .POST(HttpRequest.BodyPublishers.ofString("go"))
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader events = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            assertThat(events.readLine())
                    .as("sent while the handler still runs")
                    .isEqualTo("data: first");
            assertThat(app.get("/events").headers().firstValue("X-Cache")).hasValue("MISS");
            finish.countDown();
            assertThat(events.readLine()).isEmpty();
            assertThat(events.readLine()).isEqualTo("data: last");
        }
    }
}
