package io.cachekit.http;

import io.cachekit.Cache;
import io.cachekit.CacheException;
import io.cachekit.http.ServedResponse.Outcome;
import io.cachekit.http.internal.Flights;
import io.cachekit.http.internal.Freshness;
import io.cachekit.http.internal.RequestKeys;
import io.cachekit.http.internal.ResponseEntries;
import io.cachekit.http.internal.ResponseStore;
import io.cachekit.http.internal.UrlRecord;
import io.cachekit.spi.WarningLimiter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * HTTP response caching without a server framework: decides per request, stores whole responses in a
 * {@link Cache}, and computes what a hit, a miss, a stale answer or a {@code 304 Not Modified} sends. Server
 * adapters (such as {@link ResponseCacheFilter}) capture responses and write replies; the rules live here.
 *
 * <h2>Rules</h2>
 *
 * <ul>
 *   <li>Nothing is cached, and no cache header is added, while the cache's configuration is disabled.
 *   <li>{@code GET} and {@code HEAD} are cached (a {@code HEAD} is answered from the {@code GET} entry and on
 *       a miss runs the handler as a {@code GET}); {@code POST} only under a policy with {@link
 *       ResponseCachePolicy#cachePost()}, keyed by its body. Requests with {@code Range}, or with an identity
 *       header ({@code Authorization}, {@code Cookie}) that is not part of the key, are not cached.
 *   <li>A successful ({@code 2xx}, {@code 3xx}) unsafe request invalidates every stored response of its URL
 *       and of its same-origin {@code Location} and {@code Content-Location} ({@link #invalidate}, RFC 9111
 *       section 4.4); {@link #purge} does the same on demand, and {@link #purgeTags} purges by tag.
 *   <li>Keys: see {@link RequestKeys}. Responses naming headers in {@code Vary} are stored per value of those
 *       headers; {@code Vary: *} is never stored. Only 2xx (not 206) responses without {@code Set-Cookie},
 *       {@code private}, {@code no-store} or {@code no-cache} are stored, for the policy's TTL shortened by the
 *       handler's {@code s-maxage}, {@code max-age} or {@code Expires} (zero: not stored).
 *   <li>Stale responses are served while one request refreshes them in the background ({@code
 *       stale-while-revalidate}) and in place of a handler that throws or answers 5xx ({@code stale-if-error}),
 *       within the windows of the policy or of the handler's {@code Cache-Control} (RFC 5861).
 *   <li>Client {@code no-store} bypasses the cache, {@code no-cache} refreshes it, unless the policy ignores
 *       client directives. Concurrent misses and refreshes of one variant in this process run the handler once;
 *       the others wait (at most the cache's load timeout) and share its response.
 *   <li>Replies carry the stored status, headers and body (gzip-coded for clients that accept it when the
 *       policy compresses), {@code ETag} (one per coding), {@code Cache-Control}, {@code Age}, {@code Vary},
 *       {@code X-Cache: HIT|MISS} and {@code Cache-Status} (RFC 9211). A matching {@code If-None-Match}
 *       gives {@code 304}.
 *   <li>Backend failures fail open: a failed read is a miss, a failed write is skipped, the handler's response
 *       is always served, and the failure is counted and logged at a limited rate.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class HttpResponseCache {
    /** The header that tells whether a response came from the cache. */
    public static final String X_CACHE = "X-Cache";

    /** The RFC 9211 header that tells how the cache handled a request. */
    public static final String CACHE_STATUS = "Cache-Status";

    /** The name this cache gives itself in {@code Cache-Status}. */
    public static final String CACHE_NAME = "Cachekit";

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    private final Cache cache;
    private final Clock clock;
    private final ResponseStore store;
    private final Flights<Landing> flights = new Flights<>();
    private final WarningLimiter warnings =
            new WarningLimiter(LoggerFactory.getLogger(HttpResponseCache.class), Duration.ofSeconds(30));

    /**
     * Response caching over {@code cache}: its namespace holds the responses, its clock dates them, its load
     * timeout bounds how long a request waits for another's response.
     *
     * @throws NullPointerException if {@code cache} is null
     */
    public HttpResponseCache(Cache cache) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.clock = cache.config().clock();
        this.store = new ResponseStore(cache, warnings);
    }

    /** The cache that holds the responses. */
    public Cache cache() {
        return cache;
    }

    /** Whether {@code method} is unsafe (RFC 9110 section 9.2.1): anything but GET, HEAD, OPTIONS, TRACE. */
    public static boolean isUnsafe(String method) {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE" -> false; // as sent nearly always: no upper-cased copy
            default -> !SAFE_METHODS.contains(method.toUpperCase(Locale.ROOT));
        };
    }

    /** Decides how {@code request} is handled under {@code policy}. */
    public RequestPlan plan(HttpRequestView request, ResponseCachePolicy policy) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(policy, "policy");
        return RequestPlan.of(request, policy, cache.config().enabled());
    }

    /**
     * Answers a request: from the cache when the plan allows and a usable response is stored, otherwise by
     * running {@code producer} (once per variant at a time in this process) and storing what it captured if
     * storable. When the stored response may be served on error, the producer is asked to hold back server
     * errors, and its failure (a thrown exception, a 5xx) is answered with that response.
     *
     * @throws Exception whatever {@code producer} throws when no stale response may take its place; backend
     *     failures are never thrown
     */
    public ServedResponse serve(RequestPlan plan, ResponseProducer producer) throws Exception {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(producer, "producer");
        switch (plan.mode()) {
            case PASS, BYPASS -> {
                CapturedResponse captured = producer.produce(false);
                Outcome outcome = plan.mode() == RequestPlan.Mode.PASS ? Outcome.BYPASS : Outcome.REQUEST;
                return new ServedResponse(
                        outcome, null, captured, false, false, status(captured), null, null, null, null);
            }
            case REFRESH -> {
                ResponseStore.Lookup lookup = store.lookup(plan.urlKey(), plan::variantKey, false, clock.millis());
                return forward(plan, producer, lookup, null, Outcome.REQUEST);
            }
            default -> {
                long now = clock.millis();
                ResponseStore.Lookup lookup = store.lookup(plan.urlKey(), plan::variantKey, true, now);
                StoredResponse entry = lookup.entry();
                if (entry == null) {
                    return forward(plan, producer, lookup, null, Outcome.MISS);
                }
                if (entry.isFresh(now)) {
                    return new ServedResponse(
                            Outcome.HIT,
                            entry,
                            null,
                            false,
                            false,
                            0,
                            null,
                            lookup.record(),
                            lookup.variantKey(),
                            null);
                }
                if (entry.mayRevalidateInBackground(now)) {
                    // One request per variant refreshes it; the others are served the stale response meanwhile.
                    return new ServedResponse(
                            Outcome.STALE_WHILE_REVALIDATE,
                            entry,
                            null,
                            false,
                            false,
                            0,
                            null,
                            lookup.record(),
                            lookup.variantKey(),
                            flights.tryLead(plan.flightKey(lookup.record())));
                }
                return forward(plan, producer, lookup, entry, Outcome.STALE);
            }
        }
    }

    private ServedResponse forward(
            RequestPlan plan,
            ResponseProducer producer,
            ResponseStore.Lookup lookup,
            StoredResponse fallback,
            Outcome reason)
            throws Exception {
        Flights.Ticket<Landing> ticket = flights.claim(plan.flightKey(lookup.record()));
        if (!ticket.leader()) {
            Landing landing = flights.await(ticket, cache.config().loadTimeout());
            ServedResponse shared = landing == null ? null : landing.shareWith(plan, fallback, reason);
            return shared != null ? shared : produce(plan, producer, lookup, fallback, reason);
        }
        ServedResponse served = null;
        try {
            served = produce(plan, producer, lookup, fallback, reason);
            return served;
        } finally {
            flights.land(ticket, Landing.of(served));
        }
    }

    private ServedResponse produce(
            RequestPlan plan,
            ResponseProducer producer,
            ResponseStore.Lookup lookup,
            StoredResponse fallback,
            Outcome reason)
            throws Exception {
        UrlRecord record = lookup.record();
        if (record == null && !lookup.failed()) {
            record = store.createRecord(plan.urlKey(), recordMillis(plan.policy()), clock.millis());
        }
        CapturedResponse captured;
        try {
            captured = producer.produce(fallback != null);
        } catch (Exception e) {
            if (fallback == null || producer.sent()) {
                throw e;
            }
            warnings.warn("Handler failed, serving a stale response (stale-if-error)", e);
            return stale(lookup, fallback, 0);
        }
        if (fallback != null && captured != null && captured.status() >= 500) {
            return stale(lookup, fallback, captured.status());
        }
        String detail =
                lookup.failed() ? "store-" + cache.backendStatus().name().toLowerCase(Locale.ROOT) : null;
        return storeCaptured(plan, record, captured, reason, detail);
    }

    private static ServedResponse stale(ResponseStore.Lookup lookup, StoredResponse fallback, int status) {
        return new ServedResponse(
                Outcome.STALE_IF_ERROR,
                fallback,
                null,
                false,
                false,
                status,
                null,
                lookup.record(),
                lookup.variantKey(),
                null);
    }

    private ServedResponse storeCaptured(
            RequestPlan plan, UrlRecord record, CapturedResponse captured, Outcome reason, String detail) {
        long now = clock.millis();
        Freshness freshness =
                captured != null && plan.storesResponse() && ResponseEntries.isStorable(plan.policy(), captured)
                        ? Freshness.of(plan.policy(), captured, now)
                        : null;
        if (freshness == null) {
            return new ServedResponse(reason, null, captured, false, false, status(captured), detail, null, null, null);
        }
        StoredResponse entry = ResponseEntries.entry(plan.policy(), captured, freshness, now);
        if (record == null) {
            // The store could not give the URL a record: reply with the entry's headers, store nothing.
            return new ServedResponse(
                    reason,
                    entry,
                    captured,
                    false,
                    false,
                    captured.status(),
                    detail,
                    null,
                    plan.variantKey(null),
                    null);
        }
        ResponseStore.Written written =
                store.write(plan.urlKey(), record, ResponseEntries.varyNames(captured), plan::variantKey, entry, now);
        return new ServedResponse(
                reason,
                entry,
                captured,
                false,
                written.stored(),
                captured.status(),
                detail,
                written.record(),
                written.variantKey(),
                null);
    }

    /**
     * Refreshes the stale response of a request whose {@link ServedResponse#refresh()} is true: runs {@code
     * producer} and stores what it produced if storable and not a server error. Call it, always, once the
     * reply has reached the client; it does nothing for other requests. Never throws: a failure leaves the
     * stale response in place until its window ends, and is logged at a limited rate.
     *
     * @param producer runs the handler without sending anything to the client
     */
    @SuppressWarnings("unchecked")
    public void refresh(RequestPlan plan, ServedResponse served, ResponseProducer producer) {
        if (served.refreshTicket == null) {
            return;
        }
        Flights.Ticket<Landing> ticket = (Flights.Ticket<Landing>) served.refreshTicket;
        ServedResponse refreshed = null;
        try {
            CapturedResponse captured = producer.produce(false);
            if (captured != null && captured.status() < 500) {
                refreshed = storeCaptured(plan, served.record, captured, Outcome.STALE, null);
            }
        } catch (Exception e) {
            warnings.warn("Background refresh failed, the stale response is served until its window ends", e);
        } finally {
            flights.land(ticket, Landing.of(refreshed));
        }
    }

    /**
     * Stores a response captured after {@link #serve} returned (one completed asynchronously), as {@code serve}
     * would have, and returns how to answer it.
     */
    public ServedResponse store(RequestPlan plan, CapturedResponse captured) {
        long now = clock.millis();
        ResponseStore.Lookup lookup = store.lookup(plan.urlKey(), plan::variantKey, false, now);
        UrlRecord record = lookup.record() == null && !lookup.failed()
                ? store.createRecord(plan.urlKey(), recordMillis(plan.policy()), now)
                : lookup.record();
        Outcome reason = plan.mode() == RequestPlan.Mode.LOOKUP ? Outcome.MISS : Outcome.REQUEST;
        return storeCaptured(plan, record, captured, reason, null);
    }

    /**
     * Invalidates after an unsafe request (RFC 9111 section 4.4): when {@code status} is 2xx or 3xx, every
     * stored response of the request's URL, and of each same-origin URL in {@code locations} (its {@code
     * Location} and {@code Content-Location}), for every host, user and variant. Fails open.
     */
    public void invalidate(HttpRequestView request, int status, List<String> locations) {
        if (status < 200 || status >= 400 || !cache.config().enabled()) {
            return;
        }
        Set<String> keys = new LinkedHashSet<>();
        keys.add(RequestKeys.urlKey(request.path(), request.rawQuery()));
        for (String location : locations) {
            String key = RequestKeys.sameOriginUrlKey(request.scheme(), request.host(), request.path(), location);
            if (key != null) {
                keys.add(key);
            }
        }
        for (String key : keys) {
            try {
                store.purge(key);
            } catch (CacheException e) {
                warnings.warn("Response cache invalidation failed", e);
            }
        }
    }

    /**
     * Purges every stored response of a URL: for every host, method, user and variant, in every process sharing
     * the store. {@code url} is a path with its query as clients send it ({@code /items/7?lang=en}, percent
     * encoded, with the context path), or an absolute URL whose host is then ignored.
     *
     * @throws IllegalArgumentException when {@code url} is not a URL with an absolute path
     * @throws CacheException when the store fails
     */
    public void purge(String url) {
        URI uri;
        try {
            uri = new URI(Objects.requireNonNull(url, "url").trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Not a URL: " + url, e);
        }
        if (uri.getRawPath() == null || !uri.getRawPath().startsWith("/")) {
            throw new IllegalArgumentException("A URL to purge needs an absolute path, such as /items/7: " + url);
        }
        store.purge(RequestKeys.urlKey(uri.getRawPath(), uri.getRawQuery()));
    }

    /**
     * Purges every stored response tagged with one of {@code tags} (by {@code @CachedResponse(tags = ...)} or the
     * policy's tag header), in every process sharing the store. Tags are those of the cache's key prefix: entries
     * of method caching carrying one of them are invalidated too (see {@link Cache#invalidateTags}).
     *
     * @throws IllegalArgumentException for an empty tag or one over {@value io.cachekit.Tags#MAX_LENGTH} characters
     * @throws CacheException when the store fails
     */
    public void purgeTags(String... tags) {
        store.purgeTags(List.of(tags));
    }

    /** How many requests are waiting right now for another request's response (collapsed requests). */
    public int waitingRequests() {
        return flights.waiting();
    }

    /**
     * What to send for a served request that has a stored response: its status, headers and body (or {@code
     * 304} when the request's {@code If-None-Match} matches), with the cache headers.
     */
    public Reply reply(RequestPlan plan, ServedResponse served) {
        if (served.stored() == null) {
            throw new IllegalArgumentException("Nothing stored to reply with: send the captured response");
        }
        return Replies.reply(plan, served, clock.millis());
    }

    /**
     * The cache headers ({@code X-Cache}, {@code Cache-Status}) of a response sent as the handler produced it:
     * for {@code served}, or while it is still being produced (streamed past the body limit) when null.
     */
    public Map<String, List<String>> statusHeaders(RequestPlan plan, ServedResponse served) {
        return served == null ? Replies.streamingHeaders(plan) : Replies.statusHeaders(served, clock.millis());
    }

    /** Whether a captured response may be stored under {@code policy}, its freshness aside. */
    public static boolean isStorable(ResponseCachePolicy policy, CapturedResponse response) {
        return ResponseEntries.isStorable(policy, response);
    }

    /** How long a new URL record lives: twice what the policy keeps a response, so it outlives its entries. */
    private static long recordMillis(ResponseCachePolicy policy) {
        return 2
                * (policy.ttl().toMillis()
                        + Math.max(
                                policy.staleWhileRevalidate().toMillis(),
                                policy.staleIfError().toMillis()));
    }

    private static int status(CapturedResponse captured) {
        return captured == null ? 0 : captured.status();
    }

    /** What a lead hands its waiters: the response it stored under a variant, or served stale. */
    private record Landing(String variantKey, StoredResponse response, boolean stale, UrlRecord record) {
        static Landing of(ServedResponse served) {
            if (served == null || served.stored() == null || served.variantKey == null) {
                return null;
            }
            return new Landing(
                    served.variantKey, served.stored(), served.outcome() == Outcome.STALE_IF_ERROR, served.record);
        }

        /** The lead's answer for a waiter with the same variant, or null when it must run its own handler. */
        ServedResponse shareWith(RequestPlan plan, StoredResponse fallback, Outcome reason) {
            if (!plan.variantKey(record).equals(variantKey) || (stale && fallback == null)) {
                return null;
            }
            return new ServedResponse(
                    stale ? Outcome.STALE_IF_ERROR : reason,
                    response,
                    null,
                    true,
                    false,
                    0,
                    null,
                    record,
                    variantKey,
                    null);
        }
    }

    /** Runs the handler of a request and captures its response. */
    @FunctionalInterface
    public interface ResponseProducer {
        /**
         * Runs the handler. Returns the complete response, or null when it could not be captured (it was
         * streamed past the body limit, an error was sent, or it completes later, asynchronously); a null
         * response is never stored, and the adapter has already sent or will send it.
         *
         * @param holdServerErrors whether a stale response may replace a failure: then an error of status 500 or
         *     more that the handler sends is captured (as a response with that status) rather than sent
         */
        CapturedResponse produce(boolean holdServerErrors) throws Exception;

        /**
         * Whether any of the response has reached the client, so that a failure can no longer be replaced by a
         * stale response. False unless the producer streams.
         */
        default boolean sent() {
            return false;
        }
    }

    /**
     * What to send.
     *
     * @param status the status
     * @param headers headers to set, each replacing any value of the same name
     * @param body the body to write, or null for none ({@code 304}, {@code HEAD})
     * @param contentLength the {@code Content-Length} to set, or -1 for none
     */
    public record Reply(int status, Map<String, List<String>> headers, byte[] body, long contentLength) {}
}
