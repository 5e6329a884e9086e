package io.cachekit.http;

import io.cachekit.Cache;
import io.cachekit.CacheException;
import io.cachekit.http.internal.CacheControl;
import io.cachekit.http.internal.EntityTags;
import io.cachekit.http.internal.RequestKeys;
import io.cachekit.http.internal.StoredResponseCodec;
import io.cachekit.spi.WarningLimiter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.LoggerFactory;

/**
 * HTTP response caching without a server framework: decides per request, stores whole responses in a
 * {@link Cache}, and computes what a hit, a miss or a {@code 304 Not Modified} sends. Server adapters (such
 * as {@link ResponseCacheFilter}) capture responses and write replies; everything else happens here.
 *
 * <h2>Rules</h2>
 *
 * <ul>
 *   <li>Nothing is cached, and no cache header is added, while the cache's configuration is disabled.
 *   <li>Only methods of the policy are cached ({@code GET} and {@code HEAD} by default); {@code HEAD} is
 *       answered from the {@code GET} entry and never stores its own. Requests with {@code Range}, or with an
 *       identity header ({@code Authorization}, {@code Cookie}) that is not part of the key, are not cached.
 *   <li>The key covers method, path, sorted query, the policy's Vary headers and the SHA-256 of the per-user
 *       header (see {@link io.cachekit.http.internal.RequestKeys}).
 *   <li>Stored: 2xx responses except 206, without {@code Set-Cookie}, without {@code Cache-Control}
 *       {@code private}, {@code no-store} or {@code no-cache}, without a {@code Vary} naming a header outside
 *       the key, with a body no larger than the policy's limit.
 *   <li>Request {@code Cache-Control: no-store} skips reading and storing; {@code no-cache} (or {@code Pragma:
 *       no-cache} without {@code Cache-Control}) runs the handler and stores its response.
 *   <li>Replies carry the stored status, headers and body untouched, plus {@code ETag} (the handler's, or a
 *       SHA-256 of the body), {@code Cache-Control: max-age} from the remaining TTL ({@code private} when per
 *       user), {@code Age}, {@code Vary} and {@code X-Cache: HIT|MISS}. A matching {@code If-None-Match}
 *       gives {@code 304} with those headers and no body.
 *   <li>Concurrent misses of one key in this process run the handler once; the others wait and are served its
 *       stored response, or run their own handler when it stored nothing. Keys are per user when a per-user
 *       header is set, so a waiting request never receives another user's response.
 *   <li>Backend failures fail open: a failed read is a miss, a failed write is skipped, the handler's
 *       response is always served, and the failure is counted in the cache's statistics and logged at a
 *       limited rate.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class HttpResponseCache {
    /** The header that tells whether a response came from the cache. */
    public static final String X_CACHE = "X-Cache";

    /** Headers the cache sets itself, or that belong to one connection or one response only. */
    private static final Set<String> NOT_REPLAYED = Set.of(
            "age",
            "cache-control",
            "connection",
            "content-length",
            "date",
            "etag",
            "expires",
            "keep-alive",
            "proxy-authenticate",
            "proxy-connection",
            "set-cookie",
            "set-cookie2",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "x-cache");

    /** Headers a 304 repeats from the stored response (RFC 9110 section 15.4.5). */
    private static final Set<String> KEPT_BY_304 = Set.of("content-location", "last-modified", "vary");

    private final Cache cache;
    private final Clock clock;
    private final ConcurrentMap<String, CompletableFuture<StoredResponse>> flights = new ConcurrentHashMap<>();
    private final WarningLimiter warnings =
            new WarningLimiter(LoggerFactory.getLogger(HttpResponseCache.class), Duration.ofSeconds(30));

    /**
     * Response caching over {@code cache}: its namespace holds the responses, its clock dates them.
     *
     * @throws NullPointerException if {@code cache} is null
     */
    public HttpResponseCache(Cache cache) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.clock = cache.config().clock();
    }

    /** The cache that holds the responses. */
    public Cache cache() {
        return cache;
    }

    /** Decides how {@code request} is handled under {@code policy}. */
    public RequestPlan plan(HttpRequestView request, ResponseCachePolicy policy) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(policy, "policy");
        String method = request.method().toUpperCase(Locale.ROOT);
        if (!cache.config().enabled()
                || !policy.methods().contains(method)
                || !request.headers("Range").isEmpty()) {
            return new RequestPlan(RequestPlan.Mode.PASS, null, policy, method, false, false, List.of());
        }
        for (String header : policy.identityHeaders()) {
            if (!policy.isKeyed(header) && !request.headers(header).isEmpty()) {
                return new RequestPlan(RequestPlan.Mode.PASS, null, policy, method, false, false, List.of());
            }
        }
        RequestPlan.Mode mode = RequestPlan.Mode.LOOKUP;
        if (policy.honorRequestCacheControl()) {
            List<String> cacheControl = request.headers("Cache-Control");
            CacheControl directives = CacheControl.parse(cacheControl);
            if (directives.noStore()) {
                mode = RequestPlan.Mode.BYPASS;
            } else if (directives.noCache()
                    || (cacheControl.isEmpty()
                            && CacheControl.parse(request.headers("Pragma")).noCache())) {
                mode = RequestPlan.Mode.REFRESH;
            }
        }
        boolean head = method.equals("HEAD") && policy.methods().contains("GET");
        Map<String, List<String>> vary = new LinkedHashMap<>();
        for (String name : policy.varyHeaders()) {
            vary.put(name, request.headers(name));
        }
        String user = null;
        if (policy.perUserHeader() != null) {
            List<String> values = request.headers(policy.perUserHeader());
            user = values.isEmpty() ? null : String.join("\n", values);
        }
        String key = RequestKeys.key(head ? "GET" : method, request.path(), request.rawQuery(), vary, user);
        boolean conditional = method.equals("GET") || method.equals("HEAD");
        return new RequestPlan(
                mode,
                key,
                policy,
                method,
                !head && mode != RequestPlan.Mode.BYPASS,
                user != null,
                conditional ? request.headers("If-None-Match") : List.of());
    }

    /**
     * Answers a request: from the cache when the plan allows and a response is stored, otherwise by running
     * {@code producer} (once per key at a time in this process) and storing what it captured if storable.
     *
     * @throws Exception whatever {@code producer} throws; backend failures are never thrown
     */
    public Served serve(RequestPlan plan, ResponseProducer producer) throws Exception {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(producer, "producer");
        switch (plan.mode()) {
            case PASS, BYPASS -> {
                return new Served(null, producer.produce(), false);
            }
            case REFRESH -> {
                CapturedResponse captured = producer.produce();
                return new Served(store(plan, captured), captured, false);
            }
            default -> {
                return lookupOrProduce(plan, producer);
            }
        }
    }

    private Served lookupOrProduce(RequestPlan plan, ResponseProducer producer) throws Exception {
        StoredResponse hit = lookup(plan);
        if (hit != null) {
            return new Served(hit, null, true);
        }
        if (!plan.storesResponse()) {
            return new Served(null, producer.produce(), false);
        }
        CompletableFuture<StoredResponse> flight = new CompletableFuture<>();
        CompletableFuture<StoredResponse> running = flights.putIfAbsent(plan.key(), flight);
        if (running != null) {
            // Same key, so same method, path, query, Vary values and user: the response may be shared.
            StoredResponse shared = running.join();
            if (shared != null) {
                return new Served(shared, null, true);
            }
            CapturedResponse captured = producer.produce();
            return new Served(store(plan, captured), captured, false);
        }
        StoredResponse stored = null;
        try {
            CapturedResponse captured = producer.produce();
            stored = store(plan, captured);
            return new Served(stored, captured, false);
        } finally {
            // Leave the map before waking the waiters, so a request arriving now reads the cache.
            flights.remove(plan.key(), flight);
            flight.complete(stored);
        }
    }

    /**
     * The stored, unexpired response for a plan's key, or null. A failed read, or an entry that cannot be
     * decoded (which is then deleted), is a miss.
     */
    public StoredResponse lookup(RequestPlan plan) {
        if (plan.key() == null) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = cache.get(plan.key(), byte[].class);
        } catch (CacheException e) {
            warnings.warn("Response cache read failed, serving from the handler", e);
            return null;
        }
        if (bytes == null) {
            return null;
        }
        StoredResponse response;
        try {
            response = StoredResponseCodec.decode(bytes);
        } catch (IllegalArgumentException e) {
            warnings.warn("Unreadable stored response deleted", e);
            deleteQuietly(plan.key());
            return null;
        }
        return response.expiresAtMillis() > clock.millis() ? response : null;
    }

    private void deleteQuietly(String key) {
        try {
            cache.delete(key);
        } catch (CacheException e) {
            warnings.warn("Response cache delete failed", e);
        }
    }

    /**
     * Stores {@code captured} under the plan's key if the plan stores responses and the response is storable,
     * and returns what was stored (also when the backend failed to store it, so the reply still carries its
     * entity tag); null when not storable.
     */
    public StoredResponse store(RequestPlan plan, CapturedResponse captured) {
        if (captured == null || !plan.storesResponse() || !isStorable(plan.policy(), captured)) {
            return null;
        }
        String etag = null;
        for (String value : captured.headers("ETag")) {
            if (EntityTags.isValid(value)) {
                etag = value.trim();
                break;
            }
        }
        if (etag == null) {
            etag = EntityTags.strongTag(captured.body());
        }
        long now = clock.millis();
        Duration ttl = plan.policy().ttl();
        StoredResponse response = new StoredResponse(
                captured.status(), replayed(captured.headers()), captured.body(), etag, now, now + ttl.toMillis());
        try {
            cache.set(plan.key(), StoredResponseCodec.encode(response), ttl);
        } catch (CacheException e) {
            warnings.warn("Response cache write failed, response served without caching", e);
        }
        return response;
    }

    /** Whether a captured response may be stored under {@code policy}. */
    public static boolean isStorable(ResponseCachePolicy policy, CapturedResponse response) {
        int status = response.status();
        if (status < 200 || status > 299 || status == 206) {
            return false;
        }
        if (!response.headers("Set-Cookie").isEmpty()
                || !response.headers("Set-Cookie2").isEmpty()) {
            return false;
        }
        CacheControl directives = CacheControl.parse(response.headers("Cache-Control"));
        if (directives.noStore() || directives.isPrivate() || directives.noCache()) {
            return false;
        }
        for (String vary : response.headers("Vary")) {
            for (String name : vary.split(",")) {
                String n = name.trim();
                if (n.equals("*") || (!n.isEmpty() && !policy.isKeyed(n))) {
                    return false;
                }
            }
        }
        return response.body().length <= policy.maxBodyBytes();
    }

    private static Map<String, List<String>> replayed(Map<String, List<String>> headers) {
        Map<String, List<String>> kept = new LinkedHashMap<>();
        headers.forEach((name, values) -> {
            if (!NOT_REPLAYED.contains(name.toLowerCase(Locale.ROOT)) && !values.isEmpty()) {
                kept.put(name, values);
            }
        });
        return kept;
    }

    /**
     * What to send for a stored response: the stored status, headers and body, or {@code 304} when the
     * request's {@code If-None-Match} matches; with the freshness headers either way.
     *
     * @param hit whether the response came from the cache ({@code X-Cache: HIT}) or was just produced
     */
    public Reply reply(RequestPlan plan, StoredResponse response, boolean hit) {
        long now = clock.millis();
        long age = Math.max(0, (now - response.storedAtMillis()) / 1000);
        // Whole seconds of the TTL less the Age, so that a fresh response says the full TTL and Age + max-age
        // always adds up to it.
        long ttlSeconds = (response.expiresAtMillis() - response.storedAtMillis()) / 1000;
        long maxAge = Math.max(0, ttlSeconds - age);
        boolean notModified =
                !plan.ifNoneMatch().isEmpty() && EntityTags.noneMatchSatisfied(plan.ifNoneMatch(), response.etag());
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        response.headers().forEach((name, values) -> {
            if (!notModified || KEPT_BY_304.contains(name.toLowerCase(Locale.ROOT))) {
                headers.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values);
            }
        });
        Map<String, List<String>> out = new LinkedHashMap<>();
        headers.forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Vary")) {
                out.put(name, values);
            }
        });
        String vary = vary(headers.getOrDefault("Vary", List.of()), plan.policy());
        if (!vary.isEmpty()) {
            out.put("Vary", List.of(vary));
        }
        out.put("ETag", List.of(response.etag()));
        out.put("Cache-Control", List.of((plan.perUser() ? "private, " : "") + "max-age=" + maxAge));
        out.put("Age", List.of(Long.toString(age)));
        out.put(X_CACHE, List.of(hit ? "HIT" : "MISS"));
        if (notModified) {
            return new Reply(304, out, null, -1);
        }
        return new Reply(response.status(), out, plan.headOnly() ? null : response.body(), response.body().length);
    }

    /** The stored Vary names merged with the headers in the key, each once, in order of first mention. */
    private static String vary(List<String> stored, ResponseCachePolicy policy) {
        List<String> all = new ArrayList<>();
        for (String v : stored) {
            all.addAll(List.of(v.split(",")));
        }
        all.addAll(policy.varyHeaders());
        if (policy.perUserHeader() != null) {
            all.add(policy.perUserHeader());
        }
        Map<String, String> names = new LinkedHashMap<>();
        for (String name : all) {
            String n = name.trim();
            if (!n.isEmpty()) {
                names.putIfAbsent(n.toLowerCase(Locale.ROOT), n);
            }
        }
        return String.join(", ", names.values());
    }

    /** Runs the handler of a request and captures its response. */
    @FunctionalInterface
    public interface ResponseProducer {
        /**
         * Runs the handler. Returns the complete response, or null when it could not be captured (it was
         * streamed past the body limit, an error was sent, or it completes later, asynchronously); a null
         * response is never stored, and the adapter has already sent or will send it.
         */
        CapturedResponse produce() throws Exception;
    }

    /**
     * How a request was answered.
     *
     * @param stored the stored response to reply with (see {@link #reply}), or null when nothing was stored
     * @param captured what the handler produced, or null on a hit or when it could not be captured
     * @param hit whether {@code stored} came from the cache rather than from this request's handler
     */
    public record Served(StoredResponse stored, CapturedResponse captured, boolean hit) {}

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
