package io.cachekit.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.http.ServedResponse.Outcome;
import io.cachekit.http.internal.EntityTags;
import io.cachekit.tck.ManualClock;
import io.cachekit.tck.UnavailableBackend;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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

/** The framework-neutral rules, without a server: each test counts the producer's runs. */
class HttpResponseCacheTest {
    private final ManualClock clock = new ManualClock(Instant.ofEpochMilli(1_700_000_000_000L));
    private final Cache cache = Cachekit.create(CachekitConfig.builder()
            .backend(backendUri())
            .namespace("http")
            .clock(clock)
            .build());
    private final HttpResponseCache responses = new HttpResponseCache(cache);
    private final ResponseCachePolicy policy = ResponseCachePolicy.defaults();
    private final AtomicInteger handlerCalls = new AtomicInteger();

    /**
     * The store of every test: an in-memory backend holding references, where responses are kept as objects.
     * {@link HttpResponseCacheByValueTest} runs every test again over their binary form.
     */
    String backendUri() {
        return "memory://";
    }

    @AfterEach
    void close() {
        cache.close();
    }

    private static Request get(String path) {
        return new Request("GET", path, null, new LinkedHashMap<>());
    }

    private HttpResponseCache.ResponseProducer handler(int status, String body, Map<String, List<String>> headers) {
        return hold -> {
            handlerCalls.incrementAndGet();
            return new CapturedResponse(status, headers, body.getBytes(StandardCharsets.UTF_8));
        };
    }

    private HttpResponseCache.ResponseProducer ok(String body) {
        return handler(200, body, Map.of("Content-Type", List.of("text/plain")));
    }

    private ServedResponse serve(Request request, HttpResponseCache.ResponseProducer producer) throws Exception {
        return responses.serve(responses.plan(request, policy), producer);
    }

    private static String body(ServedResponse served) {
        return new String(served.stored().body(), StandardCharsets.UTF_8);
    }

    @Test
    void missStoresAndHitReturnsTheStoredResponseWithoutTheHandler() throws Exception {
        ServedResponse first = serve(get("/a"), ok("one"));
        ServedResponse second = serve(get("/a"), ok("two"));

        assertThat(handlerCalls).hasValue(1);
        assertThat(first.hit()).isFalse();
        assertThat(first.outcome()).isEqualTo(Outcome.MISS);
        assertThat(first.written()).isTrue();
        assertThat(second.outcome()).isEqualTo(Outcome.HIT);
        assertThat(body(second)).isEqualTo("one");
        assertThat(second.stored().header("Content-Type")).isEqualTo("text/plain");
        assertThat(second.stored().etag()).isEqualTo(EntityTags.strongTag("one".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aBodyArrayChangedByItsProducerAfterwardsLeavesTheStoredResponseAlone() throws Exception {
        byte[] produced = "original".getBytes(StandardCharsets.UTF_8);
        HttpResponseCache.ResponseProducer reusing = hold -> {
            handlerCalls.incrementAndGet();
            return new CapturedResponse(200, Map.of("Content-Type", List.of("text/plain")), produced);
        };
        serve(get("/a"), reusing);
        Arrays.fill(produced, (byte) 'x');

        ServedResponse hit = serve(get("/a"), reusing);

        assertThat(handlerCalls).hasValue(1);
        assertThat(hit.outcome()).isEqualTo(Outcome.HIT);
        assertThat(body(hit)).isEqualTo("original");
    }

    @Test
    void replyCarriesTheLifetimeAgeEtagXCacheAndCacheStatus() throws Exception {
        RequestPlan plan = responses.plan(get("/a"), policy.withTtl(Duration.ofSeconds(100)));
        ServedResponse miss = responses.serve(plan, ok("body"));
        HttpResponseCache.Reply missReply = responses.reply(plan, miss);
        assertThat(missReply.status()).isEqualTo(200);
        assertThat(missReply.headers())
                .containsEntry("Cache-Control", List.of("max-age=100"))
                .containsEntry("Age", List.of("0"))
                .containsEntry("X-Cache", List.of("MISS"))
                .containsEntry("Cache-Status", List.of("Cachekit; fwd=miss; fwd-status=200; ttl=100; stored"))
                .containsEntry("ETag", List.of(miss.stored().etag()))
                .containsEntry("Content-Type", List.of("text/plain"));
        assertThat(missReply.contentLength()).isEqualTo(4);

        clock.advance(Duration.ofSeconds(30));
        ServedResponse hit = responses.serve(plan, ok("other"));
        HttpResponseCache.Reply hitReply = responses.reply(plan, hit);
        assertThat(hitReply.headers())
                .as("max-age is the lifetime; Age says how much of it is gone (RFC 9111 4.2.3)")
                .containsEntry("Cache-Control", List.of("max-age=100"))
                .containsEntry("Age", List.of("30"))
                .containsEntry("X-Cache", List.of("HIT"))
                .containsEntry("Cache-Status", List.of("Cachekit; hit; ttl=70"));
        assertThat(new String(hitReply.body(), StandardCharsets.UTF_8)).isEqualTo("body");

        clock.advance(Duration.ofSeconds(71));
        assertThat(responses.serve(plan, ok("fresh")).hit()).isFalse();
        assertThat(handlerCalls).hasValue(2);
    }

    @Test
    void ifNoneMatchGivesNotModifiedWithCacheHeadersAndNoBody() throws Exception {
        String etag = serve(get("/a"), ok("body")).stored().etag();
        for (String header : List.of(etag, "\"x\", " + etag, "W/" + etag, "*")) {
            RequestPlan plan = responses.plan(get("/a").with("If-None-Match", header), policy);
            HttpResponseCache.Reply reply = responses.reply(plan, responses.serve(plan, ok("unused")));
            assertThat(reply.status()).as(header).isEqualTo(304);
            assertThat(reply.body()).isNull();
            assertThat(reply.contentLength()).isEqualTo(-1);
            assertThat(reply.headers()).containsKeys("ETag", "Cache-Control", "Age", "X-Cache", "Cache-Status");
            assertThat(reply.headers()).doesNotContainKey("Content-Type");
        }
        RequestPlan other = responses.plan(get("/a").with("If-None-Match", "\"nope\""), policy);
        assertThat(responses.reply(other, responses.serve(other, ok("unused"))).status())
                .isEqualTo(200);
        assertThat(handlerCalls).hasValue(1);
    }

    @Test
    void theHandlersCacheControlIsForwardedAndItsFreshnessShortensTheTtl() throws Exception {
        ServedResponse served =
                serve(get("/a"), handler(200, "x", Map.of("Cache-Control", List.of("public, max-age=5"))));
        assertThat(served.stored().lifetimeMillis()).isEqualTo(5_000);
        RequestPlan plan = responses.plan(get("/a"), policy);
        assertThat(responses.reply(plan, served).headers())
                .containsEntry("Cache-Control", List.of("public, max-age=5"));
        clock.advance(Duration.ofSeconds(5));
        assertThat(serve(get("/a"), ok("y")).outcome()).isEqualTo(Outcome.MISS);
        assertThat(handlerCalls).hasValue(2);

        for (String zero : List.of("max-age=0", "s-maxage=0, max-age=60", "private, no-store")) {
            ServedResponse notStored = serve(get("/z"), handler(200, "z", Map.of("Cache-Control", List.of(zero))));
            assertThat(notStored.stored()).as(zero).isNull();
        }
    }

    @Test
    void handlerEntityTagIsKept() throws Exception {
        ServedResponse served = serve(get("/a"), handler(200, "x", Map.of("ETag", List.of("\"v7\""))));
        assertThat(served.stored().etag()).isEqualTo("\"v7\"");
        assertThat(served.stored().headers()).doesNotContainKey("ETag");
    }

    @Test
    void requestNoStoreBypassesReadAndWrite() throws Exception {
        serve(get("/a"), ok("stored"));
        ServedResponse bypass = serve(get("/a").with("Cache-Control", "no-store"), ok("fresh"));
        assertThat(bypass.stored()).isNull();
        assertThat(bypass.outcome()).isEqualTo(Outcome.REQUEST);
        assertThat(new String(bypass.captured().body(), StandardCharsets.UTF_8)).isEqualTo("fresh");
        assertThat(body(serve(get("/a"), ok("unused")))).isEqualTo("stored");
        assertThat(handlerCalls).hasValue(2);
    }

    @Test
    void requestNoCacheRecomputesAndStores() throws Exception {
        serve(get("/a"), ok("old"));
        ServedResponse refreshed = serve(get("/a").with("Cache-Control", "no-cache"), ok("new"));
        assertThat(refreshed.outcome()).isEqualTo(Outcome.REQUEST);
        assertThat(body(refreshed)).isEqualTo("new");
        ServedResponse after = serve(get("/a"), ok("unused"));
        assertThat(after.hit()).isTrue();
        assertThat(body(after)).isEqualTo("new");

        serve(get("/a").with("Pragma", "no-cache"), ok("pragma"));
        assertThat(handlerCalls).hasValue(3);
        serve(get("/a").with("Pragma", "no-cache").with("Cache-Control", "max-age=60"), ok("unused"));
        assertThat(handlerCalls).as("Pragma counts only without Cache-Control").hasValue(3);
    }

    @Test
    void clientsCannotBypassWhenRequestCacheControlIsIgnored() throws Exception {
        ResponseCachePolicy strict = policy.toBuilder()
                .requestCacheControl(ResponseCachePolicy.RequestCacheControl.IGNORE)
                .build();
        responses.serve(responses.plan(get("/a"), strict), ok("one"));
        RequestPlan plan = responses.plan(get("/a").with("Cache-Control", "no-cache, no-store"), strict);
        assertThat(plan.mode()).isEqualTo(RequestPlan.Mode.LOOKUP);
        assertThat(responses.serve(plan, ok("two")).hit()).isTrue();
    }

    @Test
    void postIsCachedOnlyWhenThePolicySaysSoAndThenByItsBody() throws Exception {
        assertThat(responses
                        .plan(new Request("POST", "/a", null, new LinkedHashMap<>()), policy)
                        .mode())
                .isEqualTo(RequestPlan.Mode.PASS);
        assertThat(responses
                        .plan(new Request("DELETE", "/a", null, new LinkedHashMap<>()), policy)
                        .mode())
                .isEqualTo(RequestPlan.Mode.PASS);
        assertThatThrownBy(() -> policy.toBuilder().methods("GET", "POST"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cachePost");
        ResponseCachePolicy posts = policy.toBuilder().cachePost(true).build();
        Request unread = new Request("POST", "/search", null, new LinkedHashMap<>());
        assertThat(responses.plan(unread, posts).mode())
                .as("a body that was not read")
                .isEqualTo(RequestPlan.Mode.PASS);

        Request one = unread.withBody("{\"q\":1}");
        responses.serve(responses.plan(one, posts), ok("results 1"));
        assertThat(responses
                        .serve(responses.plan(one.withBody("{\"q\":1}"), posts), ok("unused"))
                        .hit())
                .isTrue();
        assertThat(responses
                        .serve(responses.plan(one.withBody("{\"q\":2}"), posts), ok("results 2"))
                        .hit())
                .isFalse();
        assertThat(responses
                        .serve(responses.plan(get("/search"), posts), ok("the GET"))
                        .hit())
                .as("a GET never gets a POST's response")
                .isFalse();
        assertThat(handlerCalls).hasValue(3);
    }

    @Test
    void theHostAndSchemeAreInTheKeyUnlessLeftOut() throws Exception {
        serve(get("/a"), ok("example.com"));
        assertThat(body(serve(get("/a").at("https", "example.com"), ok("https"))))
                .isEqualTo("https");
        assertThat(body(serve(get("/a").at("http", "other.example"), ok("other"))))
                .isEqualTo("other");
        assertThat(handlerCalls).hasValue(3);
        ResponseCachePolicy shared = policy.toBuilder().keyIncludesHost(false).build();
        responses.serve(responses.plan(get("/b"), shared), ok("one host"));
        assertThat(responses
                        .serve(responses.plan(get("/b").at("https", "other.example"), shared), ok("x"))
                        .hit())
                .isTrue();
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
    void headFillsAndReadsTheGetEntry() throws Exception {
        Request head = new Request("HEAD", "/a", null, new LinkedHashMap<>());
        RequestPlan headPlan = responses.plan(head, policy);
        assertThat(headPlan.runsAsGet()).isTrue();
        ServedResponse headMiss = responses.serve(headPlan, ok("body"));
        assertThat(headMiss.written()).isTrue();
        HttpResponseCache.Reply reply = responses.reply(headPlan, headMiss);
        assertThat(reply.body()).isNull();
        assertThat(reply.contentLength()).isEqualTo(4);
        assertThat(serve(get("/a"), ok("unused")).hit()).isTrue();
        assertThat(handlerCalls).hasValue(1);
    }

    @Test
    void perUserEntriesAreSeparateAndPrivate() throws Exception {
        ResponseCachePolicy perUser = policy.toBuilder().perUserHeader("X-User").build();
        RequestPlan alice = responses.plan(get("/me").with("X-User", "alice"), perUser);
        RequestPlan bob = responses.plan(get("/me").with("X-User", "bob"), perUser);
        responses.serve(alice, ok("alice's"));
        ServedResponse bobServed = responses.serve(bob, ok("bob's"));
        ServedResponse aliceAgain = responses.serve(alice, ok("unused"));

        assertThat(bobServed.hit()).isFalse();
        assertThat(body(aliceAgain)).isEqualTo("alice's");
        assertThat(responses.reply(alice, aliceAgain).headers())
                .containsEntry("Cache-Control", List.of("private, max-age=60"))
                .containsEntry("Vary", List.of("x-user"));
        assertThat(handlerCalls).hasValue(2);
        assertThat(responses
                        .plan(get("/a").with("Authorization", "Bearer x"), policy)
                        .mode())
                .isEqualTo(RequestPlan.Mode.PASS);
    }

    @Test
    void theHandlersVarySelectsVariantsAndVaryStarIsNeverStored() throws Exception {
        Map<String, List<String>> varying = Map.of("Vary", List.of("Accept-Language"));
        serve(get("/v").with("Accept-Language", "en"), handler(200, "hello", varying));
        serve(get("/v").with("Accept-Language", "de"), handler(200, "hallo", varying));
        assertThat(body(serve(get("/v").with("Accept-Language", "en"), ok("unused"))))
                .isEqualTo("hello");
        assertThat(body(serve(get("/v").with("Accept-Language", "de"), ok("unused"))))
                .isEqualTo("hallo");
        assertThat(handlerCalls).hasValue(2);

        assertThat(serve(get("/star"), handler(200, "x", Map.of("Vary", List.of("*"))))
                        .stored())
                .isNull();
        assertThat(serve(get("/star"), handler(200, "x", Map.of("Vary", List.of("*"))))
                        .hit())
                .isFalse();
    }

    @Test
    void gzipIsStoredOnceAndServedToClientsThatAcceptIt() throws Exception {
        String json = "{\"items\":\"" + "x".repeat(3000) + "\"}";
        Map<String, List<String>> headers = Map.of("Content-Type", List.of("application/json"));
        ServedResponse served = serve(get("/g"), handler(200, json, headers));
        assertThat(served.stored().gzipBody()).isNotNull();
        RequestPlan gzip = responses.plan(get("/g").with("Accept-Encoding", "gzip"), policy);
        HttpResponseCache.Reply compressed = responses.reply(gzip, responses.serve(gzip, ok("unused")));
        assertThat(compressed.headers())
                .containsEntry("Content-Encoding", List.of("gzip"))
                .containsEntry("Vary", List.of("Accept-Encoding"))
                .containsEntry(
                        "ETag", List.of(EntityTags.gzipTag(served.stored().etag())));
        assertThat(compressed.contentLength()).isLessThan(json.length());
        HttpResponseCache.Reply identity = responses.reply(responses.plan(get("/g"), policy), served);
        assertThat(identity.headers())
                .doesNotContainKey("Content-Encoding")
                .containsEntry("Vary", List.of("Accept-Encoding"));
        assertThat(handlerCalls).hasValue(1);
    }

    @Test
    void staleWhileRevalidateServesTheOldResponseAndRefreshesItOnce() throws Exception {
        ResponseCachePolicy swr = policy.toBuilder()
                .ttl(Duration.ofSeconds(10))
                .staleWhileRevalidate(Duration.ofSeconds(30))
                .build();
        RequestPlan plan = responses.plan(get("/s"), swr);
        responses.serve(plan, ok("old"));
        clock.advance(Duration.ofSeconds(15));
        ServedResponse stale = responses.serve(plan, ok("unused"));
        assertThat(stale.outcome()).isEqualTo(Outcome.STALE_WHILE_REVALIDATE);
        assertThat(stale.refresh()).isTrue();
        assertThat(body(stale)).isEqualTo("old");
        assertThat(responses.reply(plan, stale).headers())
                .containsEntry("Cache-Status", List.of("Cachekit; hit; ttl=-5"));

        responses.refresh(plan, stale, ok("new"));
        assertThat(body(responses.serve(plan, ok("unused")))).isEqualTo("new");
        assertThat(handlerCalls).hasValue(2);

        clock.advance(Duration.ofSeconds(15));
        ServedResponse again = responses.serve(plan, ok("unused"));
        responses.refresh(plan, again, hold -> {
            handlerCalls.incrementAndGet();
            throw new IllegalStateException("down");
        });
        assertThat(body(responses.serve(plan, ok("unused"))))
                .as("a failed refresh keeps it")
                .isEqualTo("new");
    }

    @Test
    void staleIfErrorReplacesAThrowingOrFailingHandlerWithinItsWindow() throws Exception {
        ResponseCachePolicy sie = policy.toBuilder()
                .ttl(Duration.ofSeconds(10))
                .staleIfError(Duration.ofSeconds(60))
                .build();
        RequestPlan plan = responses.plan(get("/e"), sie);
        responses.serve(plan, ok("good"));
        clock.advance(Duration.ofSeconds(20));
        List<Boolean> held = new ArrayList<>();
        ServedResponse thrown = responses.serve(plan, hold -> {
            held.add(hold);
            throw new IllegalStateException("handler failed");
        });
        assertThat(held).containsExactly(true);
        assertThat(thrown.outcome()).isEqualTo(Outcome.STALE_IF_ERROR);
        assertThat(body(thrown)).isEqualTo("good");
        ServedResponse failed = responses.serve(plan, handler(503, "", Map.of()));
        assertThat(failed.outcome()).isEqualTo(Outcome.STALE_IF_ERROR);
        assertThat(responses.reply(plan, failed).headers())
                .containsEntry(
                        "Cache-Status", List.of("Cachekit; fwd=stale; fwd-status=503; ttl=-10; detail=stale-if-error"));
        ServedResponse recovered = responses.serve(plan, ok("better"));
        assertThat(recovered.outcome()).isEqualTo(Outcome.STALE);
        assertThat(body(recovered)).isEqualTo("better");

        clock.advance(Duration.ofSeconds(75));
        assertThatThrownBy(() -> responses.serve(plan, hold -> {
                    throw new IllegalStateException("past the window");
                }))
                .hasMessage("past the window");
    }

    @Test
    void invalidationAndPurgeRemoveEveryVariantOfTheUrl() throws Exception {
        ResponseCachePolicy perUser = policy.toBuilder().perUserHeader("X-User").build();
        for (String user : List.of("alice", "bob")) {
            responses.serve(responses.plan(get("/items/7").with("X-User", user), perUser), ok(user));
        }
        responses.serve(responses.plan(get("/items/7").at("https", "other.example"), perUser), ok("other host"));
        responses.serve(responses.plan(get("/items"), perUser), ok("the list"));
        responses.invalidate(new Request("PUT", "/items/7", null, Map.of()), 204, List.of("/items"));
        for (Request r : List.of(
                get("/items/7").with("X-User", "alice"), get("/items/7").at("https", "other.example"), get("/items"))) {
            assertThat(responses.serve(responses.plan(r, perUser), ok("fresh")).hit())
                    .as(r.toString())
                    .isFalse();
        }
        responses.invalidate(new Request("PUT", "/items/7", null, Map.of()), 404, List.of());
        assertThat(responses
                        .serve(responses.plan(get("/items"), perUser), ok("unused"))
                        .hit())
                .isTrue();
        responses.invalidate(new Request("POST", "/x", null, Map.of()), 201, List.of("http://elsewhere.example/items"));
        assertThat(responses
                        .serve(responses.plan(get("/items"), perUser), ok("unused"))
                        .hit())
                .as("another origin's Location is not ours")
                .isTrue();

        responses.purge("https://any.host/items");
        assertThat(responses
                        .serve(responses.plan(get("/items"), perUser), ok("again"))
                        .hit())
                .isFalse();
        assertThatThrownBy(() -> responses.purge("items")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentMissesOfOneKeyRunTheHandlerOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch leaderStarted = new CountDownLatch(1);
        HttpResponseCache.ResponseProducer slow = hold -> {
            handlerCalls.incrementAndGet();
            leaderStarted.countDown();
            if (!release.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test did not release the handler");
            }
            return new CapturedResponse(200, Map.of(), "shared".getBytes(StandardCharsets.UTF_8));
        };
        CompletableFuture<ServedResponse> leader = CompletableFuture.supplyAsync(() -> serveQuietly(slow));
        assertThat(leaderStarted.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<ServedResponse> follower = CompletableFuture.supplyAsync(() -> serveQuietly(ok("own")));
        await().atMost(Duration.ofSeconds(10)).until(() -> responses.waitingRequests() == 1);
        release.countDown();

        assertThat(leader.get(10, TimeUnit.SECONDS).hit()).isFalse();
        ServedResponse shared = follower.get(10, TimeUnit.SECONDS);
        assertThat(shared.hit()).isTrue();
        assertThat(shared.collapsed()).isTrue();
        assertThat(body(shared)).isEqualTo("shared");
        assertThat(handlerCalls).hasValue(1);
    }

    @Test
    void waitersRunTheirOwnHandlerWhenTheLeaderStoredNothing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch leaderStarted = new CountDownLatch(1);
        HttpResponseCache.ResponseProducer failing = hold -> {
            handlerCalls.incrementAndGet();
            leaderStarted.countDown();
            if (!release.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test did not release the handler");
            }
            return new CapturedResponse(503, Map.of(), new byte[0]);
        };
        CompletableFuture<ServedResponse> leader = CompletableFuture.supplyAsync(() -> serveQuietly(failing));
        assertThat(leaderStarted.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<ServedResponse> follower = CompletableFuture.supplyAsync(() -> serveQuietly(ok("own")));
        await().atMost(Duration.ofSeconds(10)).until(() -> responses.waitingRequests() == 1);
        release.countDown();

        assertThat(leader.get(10, TimeUnit.SECONDS).captured().status()).isEqualTo(503);
        ServedResponse own = follower.get(10, TimeUnit.SECONDS);
        assertThat(own.hit()).isFalse();
        assertThat(new String(own.captured().body(), StandardCharsets.UTF_8)).isEqualTo("own");
        assertThat(handlerCalls).hasValue(2);
    }

    @Test
    void responsesThatMustNotBeSharedAreNotStored() {
        List<CapturedResponse> refused = List.of(
                response(404, Map.of()),
                response(500, Map.of()),
                response(206, Map.of()),
                response(302, Map.of()),
                response(200, Map.of("Set-Cookie", List.of("s=1"))),
                response(200, Map.of("Cache-Control", List.of("private"))),
                response(200, Map.of("Cache-Control", List.of("no-store"))),
                response(200, Map.of("cache-control", List.of("max-age=5, no-cache"))),
                response(200, Map.of("Vary", List.of("Accept, *"))));
        for (CapturedResponse r : refused) {
            assertThat(HttpResponseCache.isStorable(policy, r)).as(r.toString()).isFalse();
        }
        assertThat(HttpResponseCache.isStorable(policy, response(204, Map.of())))
                .isTrue();
        assertThat(HttpResponseCache.isStorable(policy, response(200, Map.of("Vary", List.of("Accept-Encoding")))))
                .isTrue();
        ResponseCachePolicy small = policy.toBuilder().maxBodyBytes(0).build();
        assertThat(HttpResponseCache.isStorable(small, response(200, Map.of()))).isFalse();
    }

    @Test
    void storedHeadersLeaveOutWhatTheCacheSetsItself() throws Exception {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Content-Type", List.of("application/json"));
        headers.put("X-Custom", List.of("a", "b"));
        headers.put("Date", List.of("yesterday"));
        headers.put("Content-Length", List.of("2"));
        headers.put("X-Cache", List.of("HIT"));
        headers.put("Cache-Status", List.of("Upstream; hit"));
        StoredResponse stored = serve(get("/a"), handler(200, "{}", headers)).stored();
        assertThat(stored.headers().keySet()).containsExactly("Content-Type", "X-Custom");
    }

    @Test
    void handlerExceptionsReachTheCallerAndCacheNothing() {
        assertThatThrownBy(() -> serve(get("/a"), hold -> {
                    throw new java.io.IOException("handler failed");
                }))
                .isInstanceOf(java.io.IOException.class)
                .hasMessage("handler failed");
        assertThat(cache.stats().puts()).as("only the URL record").isEqualTo(1);
    }

    @Test
    void unreadableEntriesAreDeletedAndMiss() throws Exception {
        RequestPlan plan = responses.plan(get("/a"), policy);
        cache.set(plan.urlKey(), "not a record".getBytes(StandardCharsets.UTF_8));
        assertThat(responses.serve(plan, ok("fresh")).hit()).isFalse();
        assertThat(responses.serve(plan, ok("unused")).hit()).isTrue();
    }

    @Test
    void backendFailuresFailOpenAndAreCounted() throws Exception {
        UnavailableBackend backend = new UnavailableBackend();
        try (Cache failing =
                Cachekit.create(CachekitConfig.builder().namespace("http").build(), backend)) {
            HttpResponseCache down = new HttpResponseCache(failing);
            RequestPlan plan = down.plan(get("/a"), policy);
            ServedResponse first = down.serve(plan, ok("one"));
            ServedResponse second = down.serve(plan, ok("two"));
            assertThat(first.hit()).isFalse();
            assertThat(new String(second.captured().body(), StandardCharsets.UTF_8))
                    .isEqualTo("two");
            assertThat(second.stored()).as("still replied with cache headers").isNotNull();
            assertThat(second.detail()).startsWith("store-");
            assertThat(handlerCalls).hasValue(2);
            assertThat(backend.failures())
                    .as("one failed read per request, no write after it")
                    .isEqualTo(2);
            assertThat(failing.stats().errors()).isEqualTo(2);
        }
    }

    private ServedResponse serveQuietly(HttpResponseCache.ResponseProducer p) {
        try {
            return serve(get("/flight"), p);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static CapturedResponse response(int status, Map<String, List<String>> headers) {
        return new CapturedResponse(status, headers, "x".getBytes(StandardCharsets.UTF_8));
    }

    /** A request given by its parts, to http://example.com by default. */
    record Request(
            String method,
            String scheme,
            String host,
            String path,
            String rawQuery,
            Map<String, List<String>> headerMap,
            byte[] body)
            implements HttpRequestView {
        Request(String method, String path, String rawQuery, Map<String, List<String>> headerMap) {
            this(method, "http", "example.com", path, rawQuery, headerMap, null);
        }

        Request with(String name, String value) {
            Map<String, List<String>> copy = new LinkedHashMap<>(headerMap);
            copy.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>())
                    .add(value);
            return new Request(method, scheme, host, path, rawQuery, copy, body);
        }

        Request at(String scheme, String host) {
            return new Request(method, scheme, host, path, rawQuery, headerMap, body);
        }

        Request withBody(String text) {
            return new Request(method, scheme, host, path, rawQuery, headerMap, text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public List<String> headers(String name) {
            return headerMap.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }
    }
}
