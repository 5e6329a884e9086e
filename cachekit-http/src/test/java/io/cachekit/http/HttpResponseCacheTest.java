package io.cachekit.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.http.internal.EntityTags;
import io.cachekit.tck.ManualClock;
import io.cachekit.tck.UnavailableBackend;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpResponseCacheTest {
    private final ManualClock clock = new ManualClock(Instant.ofEpochMilli(1_700_000_000_000L));
    private final Cache cache = Cachekit.create(CachekitConfig.builder()
            .backend("memory://")
            .namespace("http")
            .clock(clock)
            .build());
    private final HttpResponseCache responses = new HttpResponseCache(cache);
    private final ResponseCachePolicy policy = ResponseCachePolicy.defaults();
    private final AtomicInteger handlerCalls = new AtomicInteger();

    @AfterEach
    void close() {
        cache.close();
    }

    private static Request get(String path) {
        return new Request("GET", path, null, new LinkedHashMap<>());
    }

    private HttpResponseCache.ResponseProducer handler(int status, String body, Map<String, List<String>> headers) {
        return () -> {
            handlerCalls.incrementAndGet();
            return new CapturedResponse(status, headers, body.getBytes(StandardCharsets.UTF_8));
        };
    }

    private HttpResponseCache.ResponseProducer ok(String body) {
        return handler(200, body, Map.of("Content-Type", List.of("text/plain")));
    }

    private HttpResponseCache.Served serve(Request request, HttpResponseCache.ResponseProducer producer)
            throws Exception {
        return responses.serve(responses.plan(request, policy), producer);
    }

    @Test
    void missStoresAndHitReturnsTheStoredResponseWithoutTheHandler() throws Exception {
        HttpResponseCache.Served first = serve(get("/a"), ok("one"));
        HttpResponseCache.Served second = serve(get("/a"), ok("two"));

        assertThat(handlerCalls).hasValue(1);
        assertThat(first.hit()).isFalse();
        assertThat(second.hit()).isTrue();
        assertThat(new String(second.stored().body(), StandardCharsets.UTF_8)).isEqualTo("one");
        assertThat(second.stored().header("Content-Type")).isEqualTo("text/plain");
        assertThat(second.stored().etag()).isEqualTo(EntityTags.strongTag("one".getBytes(StandardCharsets.UTF_8)));
        assertThat(cache.stats().hits()).isEqualTo(1);
        assertThat(cache.stats().misses()).isEqualTo(1);
    }

    @Test
    void replyCarriesRemainingTtlAgeEtagAndXCache() throws Exception {
        RequestPlan plan = responses.plan(get("/a"), policy.withTtl(Duration.ofSeconds(100)));
        HttpResponseCache.Served miss = responses.serve(plan, ok("body"));
        HttpResponseCache.Reply missReply = responses.reply(plan, miss.stored(), miss.hit());
        assertThat(missReply.status()).isEqualTo(200);
        assertThat(missReply.headers())
                .containsEntry("Cache-Control", List.of("max-age=100"))
                .containsEntry("Age", List.of("0"))
                .containsEntry("X-Cache", List.of("MISS"))
                .containsEntry("ETag", List.of(miss.stored().etag()))
                .containsEntry("Content-Type", List.of("text/plain"));
        assertThat(missReply.contentLength()).isEqualTo(4);

        clock.advance(Duration.ofSeconds(30));
        HttpResponseCache.Served hit = responses.serve(plan, ok("other"));
        HttpResponseCache.Reply hitReply = responses.reply(plan, hit.stored(), hit.hit());
        assertThat(hitReply.headers())
                .containsEntry("Cache-Control", List.of("max-age=70"))
                .containsEntry("Age", List.of("30"))
                .containsEntry("X-Cache", List.of("HIT"));
        assertThat(new String(hitReply.body(), StandardCharsets.UTF_8)).isEqualTo("body");

        clock.advance(Duration.ofSeconds(71));
        assertThat(responses.serve(plan, ok("fresh")).hit()).isFalse();
        assertThat(handlerCalls).hasValue(2);
    }

    @Test
    void ifNoneMatchGivesNotModifiedWithCacheHeadersAndNoBody() throws Exception {
        HttpResponseCache.Served stored = serve(get("/a"), ok("body"));
        String etag = stored.stored().etag();
        for (String header : List.of(etag, "\"x\", " + etag, "W/" + etag, "*")) {
            Request conditional = get("/a").with("If-None-Match", header);
            RequestPlan plan = responses.plan(conditional, policy);
            HttpResponseCache.Served hit = responses.serve(plan, ok("unused"));
            HttpResponseCache.Reply reply = responses.reply(plan, hit.stored(), hit.hit());
            assertThat(reply.status()).as(header).isEqualTo(304);
            assertThat(reply.body()).isNull();
            assertThat(reply.contentLength()).isEqualTo(-1);
            assertThat(reply.headers()).containsKeys("ETag", "Cache-Control", "Age", "X-Cache");
            assertThat(reply.headers()).doesNotContainKey("Content-Type");
        }
        RequestPlan other = responses.plan(get("/a").with("If-None-Match", "\"nope\""), policy);
        assertThat(responses.reply(other, stored.stored(), true).status()).isEqualTo(200);
        assertThat(handlerCalls).hasValue(1);
    }

    @Test
    void handlerEntityTagIsKept() throws Exception {
        HttpResponseCache.Served served = serve(get("/a"), handler(200, "x", Map.of("ETag", List.of("\"v7\""))));
        assertThat(served.stored().etag()).isEqualTo("\"v7\"");
        assertThat(served.stored().headers()).doesNotContainKey("ETag");
    }

    @Test
    void requestNoStoreBypassesReadAndWrite() throws Exception {
        serve(get("/a"), ok("stored"));
        HttpResponseCache.Served bypass = serve(get("/a").with("Cache-Control", "no-store"), ok("fresh"));
        assertThat(bypass.stored()).isNull();
        assertThat(new String(bypass.captured().body(), StandardCharsets.UTF_8)).isEqualTo("fresh");
        assertThat(new String(serve(get("/a"), ok("unused")).stored().body(), StandardCharsets.UTF_8))
                .isEqualTo("stored");
        assertThat(handlerCalls).hasValue(2);

        serve(get("/b").with("Cache-Control", "no-store"), ok("never stored"));
        assertThat(serve(get("/b"), ok("first stored")).hit()).isFalse();
    }

    @Test
    void requestNoCacheRecomputesAndStores() throws Exception {
        serve(get("/a"), ok("old"));
        HttpResponseCache.Served refreshed = serve(get("/a").with("Cache-Control", "no-cache"), ok("new"));
        assertThat(refreshed.hit()).isFalse();
        assertThat(new String(refreshed.stored().body(), StandardCharsets.UTF_8))
                .isEqualTo("new");
        HttpResponseCache.Served after = serve(get("/a"), ok("unused"));
        assertThat(after.hit()).isTrue();
        assertThat(new String(after.stored().body(), StandardCharsets.UTF_8)).isEqualTo("new");

        serve(get("/a").with("Pragma", "no-cache"), ok("pragma"));
        assertThat(handlerCalls).hasValue(3);
        serve(get("/a").with("Pragma", "no-cache").with("Cache-Control", "max-age=60"), ok("unused"));
        assertThat(handlerCalls).as("Pragma counts only without Cache-Control").hasValue(3);
    }

    @Test
    void clientsCannotBypassWhenRequestCacheControlIsIgnored() throws Exception {
        ResponseCachePolicy strict =
                policy.toBuilder().honorRequestCacheControl(false).build();
        responses.serve(responses.plan(get("/a"), strict), ok("one"));
        RequestPlan plan = responses.plan(get("/a").with("Cache-Control", "no-cache, no-store"), strict);
        assertThat(plan.mode()).isEqualTo(RequestPlan.Mode.LOOKUP);
        assertThat(responses.serve(plan, ok("two")).hit()).isTrue();
    }

    @Test
    void onlyConfiguredMethodsAreCached() {
        assertThat(responses
                        .plan(new Request("POST", "/a", null, new LinkedHashMap<>()), policy)
                        .mode())
                .isEqualTo(RequestPlan.Mode.PASS);
        assertThat(responses
                        .plan(new Request("DELETE", "/a", null, new LinkedHashMap<>()), policy)
                        .mode())
                .isEqualTo(RequestPlan.Mode.PASS);
        ResponseCachePolicy posts = policy.toBuilder().methods("GET", "POST").build();
        assertThat(responses
                        .plan(new Request("post", "/a", null, new LinkedHashMap<>()), posts)
                        .mode())
                .isEqualTo(RequestPlan.Mode.LOOKUP);
        assertThat(responses.plan(get("/a").with("Range", "bytes=0-1"), policy).mode())
                .isEqualTo(RequestPlan.Mode.PASS);
    }

    @Test
    void aDisabledCacheLeavesEveryRequestAlone() {
        try (Cache disabled =
                Cachekit.create(CachekitConfig.builder().enabled(false).build())) {
            HttpResponseCache off = new HttpResponseCache(disabled);
            assertThat(off.plan(get("/a"), policy).mode()).isEqualTo(RequestPlan.Mode.PASS);
        }
    }

    @Test
    void headIsAnsweredFromTheGetEntryButNeverStoresItsOwn() throws Exception {
        Request head = new Request("HEAD", "/a", null, new LinkedHashMap<>());
        HttpResponseCache.Served headMiss = serve(head, ok(""));
        assertThat(headMiss.stored()).isNull();
        serve(get("/a"), ok("body"));
        RequestPlan plan = responses.plan(head, policy);
        HttpResponseCache.Served headHit = responses.serve(plan, ok("unused"));
        HttpResponseCache.Reply reply = responses.reply(plan, headHit.stored(), true);
        assertThat(reply.body()).isNull();
        assertThat(reply.contentLength()).isEqualTo(4);
        assertThat(handlerCalls).hasValue(2);
    }

    @Test
    void unkeyedIdentityHeadersKeepRequestsOutOfTheCache() {
        assertThat(responses
                        .plan(get("/a").with("Authorization", "Bearer x"), policy)
                        .mode())
                .isEqualTo(RequestPlan.Mode.PASS);
        assertThat(responses.plan(get("/a").with("Cookie", "s=1"), policy).mode())
                .isEqualTo(RequestPlan.Mode.PASS);
        ResponseCachePolicy perUser =
                policy.toBuilder().perUserHeader("Authorization").build();
        RequestPlan plan = responses.plan(get("/a").with("Authorization", "Bearer x"), perUser);
        assertThat(plan.mode()).isEqualTo(RequestPlan.Mode.LOOKUP);
        assertThat(plan.perUser()).isTrue();
    }

    @Test
    void perUserEntriesAreSeparateAndPrivate() throws Exception {
        ResponseCachePolicy perUser = policy.toBuilder().perUserHeader("X-User").build();
        RequestPlan alice = responses.plan(get("/me").with("X-User", "alice"), perUser);
        RequestPlan bob = responses.plan(get("/me").with("X-User", "bob"), perUser);
        responses.serve(alice, ok("alice's"));
        HttpResponseCache.Served bobServed = responses.serve(bob, ok("bob's"));
        HttpResponseCache.Served aliceAgain = responses.serve(alice, ok("unused"));

        assertThat(bobServed.hit()).isFalse();
        assertThat(new String(aliceAgain.stored().body(), StandardCharsets.UTF_8))
                .isEqualTo("alice's");
        assertThat(responses.reply(alice, aliceAgain.stored(), true).headers())
                .containsEntry("Cache-Control", List.of("private, max-age=60"))
                .containsEntry("Vary", List.of("x-user"));
        assertThat(handlerCalls).hasValue(2);
    }

    @Test
    void responsesThatMustNotBeSharedAreNotStored() throws Exception {
        List<CapturedResponse> refused = List.of(
                response(404, Map.of()),
                response(500, Map.of()),
                response(206, Map.of()),
                response(302, Map.of()),
                response(200, Map.of("Set-Cookie", List.of("s=1"))),
                response(200, Map.of("Cache-Control", List.of("private"))),
                response(200, Map.of("Cache-Control", List.of("no-store"))),
                response(200, Map.of("cache-control", List.of("max-age=5, no-cache"))),
                response(200, Map.of("Vary", List.of("*"))),
                response(200, Map.of("Vary", List.of("Accept-Encoding"))));
        for (CapturedResponse r : refused) {
            assertThat(HttpResponseCache.isStorable(policy, r)).as(r.toString()).isFalse();
        }
        assertThat(HttpResponseCache.isStorable(policy, response(204, Map.of())))
                .isTrue();
        ResponseCachePolicy varying =
                policy.toBuilder().varyHeaders("Accept-Encoding").build();
        assertThat(HttpResponseCache.isStorable(varying, response(200, Map.of("Vary", List.of("accept-encoding")))))
                .isTrue();

        serve(get("/missing"), handler(404, "not found", Map.of()));
        serve(get("/missing"), handler(404, "not found", Map.of()));
        assertThat(handlerCalls).hasValue(2);
        assertThat(cache.stats().puts()).isZero();
    }

    @Test
    void bodiesOverTheLimitAreNotStored() throws Exception {
        ResponseCachePolicy small = policy.toBuilder().maxBodyBytes(4).build();
        assertThat(HttpResponseCache.isStorable(small, new CapturedResponse(200, Map.of(), new byte[4])))
                .isTrue();
        assertThat(HttpResponseCache.isStorable(small, new CapturedResponse(200, Map.of(), new byte[5])))
                .isFalse();
    }

    @Test
    void storedHeadersLeaveOutWhatTheCacheSetsItself() throws Exception {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Content-Type", List.of("application/json"));
        headers.put("X-Custom", List.of("a", "b"));
        headers.put("Date", List.of("yesterday"));
        headers.put("Content-Length", List.of("2"));
        headers.put("Expires", List.of("0"));
        headers.put("X-Cache", List.of("HIT"));
        StoredResponse stored = serve(get("/a"), handler(200, "{}", headers)).stored();
        assertThat(stored.headers().keySet()).containsExactly("Content-Type", "X-Custom");
        assertThat(stored.headers().get("X-Custom")).containsExactly("a", "b");
    }

    @Test
    void concurrentMissesOfOneKeyRunTheHandlerOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch leaderStarted = new CountDownLatch(1);
        HttpResponseCache.ResponseProducer slow = () -> {
            handlerCalls.incrementAndGet();
            leaderStarted.countDown();
            if (!release.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test did not release the handler");
            }
            return new CapturedResponse(200, Map.of(), "shared".getBytes(StandardCharsets.UTF_8));
        };
        CompletableFuture<HttpResponseCache.Served> leader = new CompletableFuture<>();
        Thread leaderThread = new Thread(() -> complete(leader, slow));
        leaderThread.start();
        assertThat(leaderStarted.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<HttpResponseCache.Served> follower = new CompletableFuture<>();
        Thread followerThread = new Thread(() -> complete(follower, ok("follower's own")));
        followerThread.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> followerThread.getState() == Thread.State.WAITING);
        release.countDown();

        assertThat(leader.get(10, TimeUnit.SECONDS).hit()).isFalse();
        HttpResponseCache.Served shared = follower.get(10, TimeUnit.SECONDS);
        assertThat(shared.hit()).isTrue();
        assertThat(new String(shared.stored().body(), StandardCharsets.UTF_8)).isEqualTo("shared");
        assertThat(handlerCalls).hasValue(1);
    }

    @Test
    void waitersRunTheirOwnHandlerWhenTheLeaderStoredNothing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch leaderStarted = new CountDownLatch(1);
        HttpResponseCache.ResponseProducer failing = () -> {
            handlerCalls.incrementAndGet();
            leaderStarted.countDown();
            if (!release.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test did not release the handler");
            }
            return new CapturedResponse(503, Map.of(), new byte[0]);
        };
        CompletableFuture<HttpResponseCache.Served> leader = new CompletableFuture<>();
        new Thread(() -> complete(leader, failing)).start();
        assertThat(leaderStarted.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<HttpResponseCache.Served> follower = new CompletableFuture<>();
        Thread followerThread = new Thread(() -> complete(follower, ok("own")));
        followerThread.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> followerThread.getState() == Thread.State.WAITING);
        release.countDown();

        assertThat(leader.get(10, TimeUnit.SECONDS).captured().status()).isEqualTo(503);
        HttpResponseCache.Served own = follower.get(10, TimeUnit.SECONDS);
        assertThat(own.hit()).isFalse();
        assertThat(new String(own.captured().body(), StandardCharsets.UTF_8)).isEqualTo("own");
        assertThat(handlerCalls).hasValue(2);
    }

    @Test
    void handlerExceptionsReachTheCallerAndCacheNothing() {
        assertThatThrownBy(() -> serve(get("/a"), () -> {
                    throw new java.io.IOException("handler failed");
                }))
                .isInstanceOf(java.io.IOException.class)
                .hasMessage("handler failed");
        assertThat(cache.stats().puts()).isZero();
    }

    @Test
    void unreadableEntriesAreDeletedAndMiss() throws Exception {
        RequestPlan plan = responses.plan(get("/a"), policy);
        cache.set(plan.key(), "not a stored response".getBytes(StandardCharsets.UTF_8));
        assertThat(responses.lookup(plan)).isNull();
        assertThat(cache.has(plan.key())).isFalse();
        assertThat(responses.serve(plan, ok("fresh")).hit()).isFalse();
    }

    @Test
    void backendFailuresFailOpenAndAreCounted() throws Exception {
        UnavailableBackend backend = new UnavailableBackend();
        try (Cache failing =
                Cachekit.create(CachekitConfig.builder().namespace("http").build(), backend)) {
            HttpResponseCache down = new HttpResponseCache(failing);
            RequestPlan plan = down.plan(get("/a"), policy);
            HttpResponseCache.Served first = down.serve(plan, ok("one"));
            HttpResponseCache.Served second = down.serve(plan, ok("two"));
            assertThat(first.hit()).isFalse();
            assertThat(new String(second.captured().body(), StandardCharsets.UTF_8))
                    .isEqualTo("two");
            assertThat(second.stored()).as("still replied with cache headers").isNotNull();
            assertThat(handlerCalls).hasValue(2);
            assertThat(backend.failures()).isEqualTo(4);
            assertThat(failing.stats().errors()).isEqualTo(4);
        }
    }

    private void complete(CompletableFuture<HttpResponseCache.Served> into, HttpResponseCache.ResponseProducer p) {
        try {
            into.complete(serve(get("/flight"), p));
        } catch (Exception e) {
            into.completeExceptionally(e);
        }
    }

    private static CapturedResponse response(int status, Map<String, List<String>> headers) {
        return new CapturedResponse(status, headers, "x".getBytes(StandardCharsets.UTF_8));
    }

    /** A request given by its parts. */
    record Request(String method, String path, String rawQuery, Map<String, List<String>> headerMap)
            implements HttpRequestView {
        Request with(String name, String value) {
            Map<String, List<String>> copy = new LinkedHashMap<>(headerMap);
            copy.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>())
                    .add(value);
            return new Request(method, path, rawQuery, copy);
        }

        @Override
        public List<String> headers(String name) {
            return headerMap.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }
    }
}
