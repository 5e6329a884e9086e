package io.cachekit.http;

import io.cachekit.http.internal.HeldResponse;
import io.cachekit.http.internal.ReplayingRequest;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jakarta Servlet filter that caches whole responses with an {@link HttpResponseCache} (see there for the
 * rules). A hit is answered without calling the rest of the chain; a miss runs it with the response held in
 * memory, then stores it if it may be stored and sends it with the cache headers. Unsafe requests ({@code
 * POST}, {@code PUT}, {@code PATCH}, {@code DELETE}...) are held the same way and, when they succeed,
 * invalidate their URL's stored responses before their answer leaves.
 *
 * <p>A stale response within its {@code stale-while-revalidate} window is sent and completed at once; the
 * same request thread then runs the handler (for one request per variant at a time) with a response that
 * never reaches the client, and stores what it produced: the client does not wait, but its connection is busy
 * until the refresh ends, as with nginx's {@code proxy_cache_background_update}.
 *
 * <p>Map the filter to the {@code REQUEST} and {@code ASYNC} dispatcher types, with async support: a response
 * that completes asynchronously (a {@code CompletableFuture} controller, say) is captured and stored when its
 * async dispatch ends. One that completes without a dispatch is sent as it is and not stored.
 *
 * <p>Put it after authentication and authorization filters, so that only requests that may see a response
 * are served one. Thread-safe; one instance serves every request.
 */
public final class ResponseCacheFilter implements Filter {
    /**
     * The request attribute holding tags (a {@code Collection<String>}) for the response being produced, set
     * by a {@link PolicySelector} (the starter's {@code @CachedResponse(tags = ...)}) or by the handler.
     */
    public static final String TAGS_ATTRIBUTE = ResponseCacheFilter.class.getName() + ".TAGS";

    private static final Logger LOG = LoggerFactory.getLogger(ResponseCacheFilter.class);
    private static final String PENDING = ResponseCacheFilter.class.getName() + ".PENDING";

    /** Chooses the policy of a request, or null to leave the request alone. Called once per request. */
    @FunctionalInterface
    public interface PolicySelector {
        /** The policy for {@code request}, or {@code null} to leave it uncached. */
        @Nullable
        ResponseCachePolicy select(HttpServletRequest request);
    }

    private final HttpResponseCache cache;
    private final PolicySelector selector;

    /**
     * A filter applying one policy to every request it sees.
     *
     * @throws IllegalArgumentException for a policy that caches {@code POST}: that is chosen per path, with a
     *     {@link PolicySelector}
     */
    public ResponseCacheFilter(HttpResponseCache cache, ResponseCachePolicy policy) {
        this(cache, fixed(policy));
    }

    /** A filter applying the policy {@code selector} chooses per request. */
    public ResponseCacheFilter(HttpResponseCache cache, PolicySelector selector) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.selector = Objects.requireNonNull(selector, "selector");
    }

    private static PolicySelector fixed(ResponseCachePolicy policy) {
        Objects.requireNonNull(policy, "policy");
        if (policy.cachePost()) {
            throw new IllegalArgumentException(
                    "POST caching is chosen per path: give a policy with cachePost to a PolicySelector");
        }
        return request -> policy;
    }

    /** The response cache this filter stores into. */
    public HttpResponseCache responseCache() {
        return cache;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest req) || !(response instanceof HttpServletResponse res)) {
            chain.doFilter(request, response);
            return;
        }
        if (req.getDispatcherType() == DispatcherType.ASYNC) {
            resumeAsync(req, res, chain);
            return;
        }
        if (req.getDispatcherType() != DispatcherType.REQUEST
                || req.getAttribute(PENDING) != null
                || !cache.cache().config().enabled()) {
            chain.doFilter(req, res); // while caching is disabled, every request passes untouched
            return;
        }
        ResponseCachePolicy policy = selector.select(req);
        boolean cachedPost =
                policy != null && policy.cachePost() && req.getMethod().equals("POST");
        if (HttpResponseCache.isUnsafe(req.getMethod()) && !cachedPost) {
            invalidating(req, res, chain, policy == null ? ResponseCachePolicy.defaults() : policy);
            return;
        }
        if (policy == null) {
            chain.doFilter(req, res);
            return;
        }
        HttpServletRequest target = req;
        byte[] body = null;
        if (cachedPost && !ReplayingRequest.isForm(req.getContentType())) {
            ReplayingRequest.Read read = ReplayingRequest.readBody(req, policy.maxBodyBytes());
            target = read.request();
            body = read.body();
        }
        RequestPlan plan = cache.plan(new ServletRequestView(target, body), policy);
        if (plan.mode() == RequestPlan.Mode.PASS) {
            if (cachedPost || policy.methods().contains(plan.method())) {
                res.setHeader(HttpResponseCache.CACHE_STATUS, HttpResponseCache.CACHE_NAME + "; fwd=bypass");
            }
            chain.doFilter(target, policy.tagHeader() == null ? res : new TagStripping(res, policy.tagHeader()));
            return;
        }
        Producer producer = new Producer(target, res, chain, plan, false);
        ServedResponse served;
        try {
            served = cache.serve(plan, producer);
        } catch (IOException | ServletException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new ServletException(e);
        }
        if (!served.refresh()) {
            send(res, plan, served, producer.held);
            return;
        }
        try {
            if (req.getProtocol() != null && req.getProtocol().startsWith("HTTP/1")) {
                // This connection stays busy while the handler refreshes: the client opens another for its next
                // request. (HTTP/2 streams do not wait for each other, and may not carry Connection.)
                res.setHeader("Connection", "close");
            }
            send(res, plan, served, producer.held);
            complete(res);
        } finally {
            cache.refresh(plan, served, new Producer(target, res, chain, plan, true));
        }
    }

    /**
     * Runs an unsafe request's handler, invalidating its URL before anything of a successful answer leaves: the
     * answer is held until it is complete, flushed (so streams of events still stream) or past the body limit.
     */
    private void invalidating(
            HttpServletRequest req, HttpServletResponse res, FilterChain chain, ResponseCachePolicy policy)
            throws IOException, ServletException {
        ServletRequestView view = new ServletRequestView(req, null);
        HeldResponse held = HeldResponse.untilFlushed(res, policy.maxBodyBytes(), policy.tagHeader(), h -> {
            List<String> locations = new ArrayList<>(h.getHeaders("Location"));
            locations.addAll(h.getHeaders("Content-Location"));
            cache.invalidate(view, h.getStatus(), locations);
        });
        Pending pending = new Pending(null, held, res, false);
        req.setAttribute(PENDING, pending);
        chain.doFilter(req, held);
        if (req.isAsyncStarted()) {
            req.getAsyncContext().addListener(pending);
            return;
        }
        pending.done.set(true);
        held.release();
    }

    private void send(HttpServletResponse res, RequestPlan plan, ServedResponse served, HeldResponse held)
            throws IOException {
        if (served.stored() != null) {
            write(res, cache.reply(plan, served));
            return;
        }
        if (served.captured() == null || held == null) {
            return; // already streamed or sent as an error, or completing asynchronously
        }
        headers(res, cache.statusHeaders(plan, served));
        if (held.heldError()) {
            res.sendError(served.captured().status()); // no stale response took its place: the usual error page
        } else {
            held.release();
        }
    }

    private static void write(HttpServletResponse res, HttpResponseCache.Reply reply) throws IOException {
        res.setStatus(reply.status());
        headers(res, reply.headers());
        if (reply.contentLength() >= 0) {
            res.setContentLengthLong(reply.contentLength());
        }
        if (reply.body() != null && reply.body().length > 0) {
            res.getOutputStream().write(reply.body());
        }
    }

    private static void headers(HttpServletResponse res, Map<String, List<String>> headers) {
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            boolean first = true;
            for (String value : header.getValue()) {
                if (first) {
                    res.setHeader(header.getKey(), value);
                    first = false;
                } else {
                    res.addHeader(header.getKey(), value);
                }
            }
        }
    }

    /** Sends the rest of the response and ends it, so that the client has its answer before a refresh runs. */
    private static void complete(HttpServletResponse res) {
        try {
            res.flushBuffer();
            res.getOutputStream().close();
        } catch (IOException | IllegalStateException e) {
            LOG.debug("Could not complete a stale response before its refresh", e);
        }
    }

    private void resumeAsync(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        Pending pending = (Pending) req.getAttribute(PENDING);
        if (pending == null || pending.done.get()) {
            chain.doFilter(req, res);
            return;
        }
        if (!wraps(res, pending.held)) {
            // This dispatch writes to the container's response, not through the held one: nothing to capture.
            pending.done.set(true);
            pending.held.release();
            chain.doFilter(req, res);
            return;
        }
        chain.doFilter(req, res);
        if (req.isAsyncStarted() || !pending.done.compareAndSet(false, true)) {
            return;
        }
        if (pending.plan == null) {
            pending.held.release(); // an unsafe request: invalidates, then sends
            return;
        }
        CapturedResponse captured = withTags(pending.held.capture(), req);
        if (pending.detached) {
            if (captured != null && captured.status() < 500) {
                cache.store(pending.plan, captured);
            }
            return;
        }
        send(pending.target, pending.plan, cache.store(pending.plan, captured), pending.held);
    }

    private static boolean wraps(ServletResponse response, ServletResponse wrapped) {
        ServletResponse r = response;
        while (true) {
            if (r == wrapped) {
                return true;
            }
            if (!(r instanceof ServletResponseWrapper w)) {
                return false;
            }
            r = w.getResponse();
        }
    }

    /** The response with the tags of {@link #TAGS_ATTRIBUTE} added to those of the tag header. */
    private static CapturedResponse withTags(CapturedResponse captured, HttpServletRequest req) {
        if (captured == null || !(req.getAttribute(TAGS_ATTRIBUTE) instanceof Collection<?> extra)) {
            return captured;
        }
        List<String> tags = new ArrayList<>();
        for (Object tag : extra) {
            tags.add(String.valueOf(tag));
        }
        tags.addAll(captured.tags());
        return new CapturedResponse(captured.status(), captured.headers(), captured.body(), tags);
    }

    /** Runs the rest of the chain with a held response. */
    private final class Producer implements HttpResponseCache.ResponseProducer {
        private final HttpServletRequest req;
        private final HttpServletResponse res;
        private final FilterChain chain;
        private final RequestPlan plan;
        private final boolean detached;
        HeldResponse held;

        Producer(
                HttpServletRequest req,
                HttpServletResponse res,
                FilterChain chain,
                RequestPlan plan,
                boolean detached) {
            this.req = req;
            this.res = res;
            this.chain = chain;
            this.plan = plan;
            this.detached = detached;
        }

        @Override
        public CapturedResponse produce(boolean holdServerErrors) throws IOException, ServletException {
            ResponseCachePolicy policy = plan.policy();
            held = detached
                    ? HeldResponse.detached(res, policy.maxBodyBytes(), policy.tagHeader())
                    : HeldResponse.attached(res, policy.maxBodyBytes(), policy.tagHeader(), holdServerErrors, h -> {
                        if (!res.containsHeader(HttpResponseCache.X_CACHE)) {
                            headers(res, cache.statusHeaders(plan, null));
                        }
                    });
            Pending pending = new Pending(plan, held, res, detached);
            req.setAttribute(PENDING, pending);
            chain.doFilter(plan.runsAsGet() ? ReplayingRequest.asGet(req) : req, held);
            if (req.isAsyncStarted()) {
                req.getAsyncContext().addListener(pending);
                return null;
            }
            pending.done.set(true);
            return withTags(held.capture(), req);
        }

        @Override
        public boolean sent() {
            return held != null && held.isReleased();
        }
    }

    /** A response being produced, possibly asynchronously. */
    private static final class Pending implements AsyncListener {
        final RequestPlan plan;
        final HeldResponse held;
        final HttpServletResponse target;
        final boolean detached;
        final AtomicBoolean done = new AtomicBoolean();

        /** @param plan the cached request's plan, or null for an unsafe request */
        Pending(RequestPlan plan, HeldResponse held, HttpServletResponse target, boolean detached) {
            this.plan = plan;
            this.held = held;
            this.target = target;
            this.detached = detached;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            if (done.compareAndSet(false, true)) {
                // Completed without an async dispatch through this filter: send what was written, unstored.
                try {
                    held.release();
                } catch (IOException | RuntimeException e) {
                    LOG.debug("Could not send a held response after async completion", e);
                }
            }
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            // The container or the application answers the timeout; the async dispatch that follows finishes.
        }

        @Override
        public void onError(AsyncEvent event) {
            // As for a timeout: the error handling that follows runs through resumeAsync or onComplete.
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this); // listeners are dropped when async restarts
        }
    }

    /** Drops the policy's tag header from a response the cache does not handle, so it never leaves. */
    private static final class TagStripping extends HttpServletResponseWrapper {
        private final String tagHeader;

        TagStripping(HttpServletResponse response, String tagHeader) {
            super(response);
            this.tagHeader = tagHeader;
        }

        @Override
        public void setHeader(String name, String value) {
            if (!tagHeader.equalsIgnoreCase(name)) {
                super.setHeader(name, value);
            }
        }

        @Override
        public void addHeader(String name, String value) {
            if (!tagHeader.equalsIgnoreCase(name)) {
                super.addHeader(name, value);
            }
        }
    }

    /** A servlet request as {@link HttpResponseCache} reads it. */
    private record ServletRequestView(HttpServletRequest request, byte[] body) implements HttpRequestView {
        @Override
        public String method() {
            return request.getMethod();
        }

        @Override
        public String scheme() {
            return request.getScheme();
        }

        @Override
        public String host() {
            String scheme = request.getScheme();
            int port = request.getServerPort();
            boolean standard = port <= 0
                    || (port == 80 && "http".equalsIgnoreCase(scheme))
                    || (port == 443 && "https".equalsIgnoreCase(scheme));
            return standard ? request.getServerName() : request.getServerName() + ":" + port;
        }

        @Override
        public String path() {
            return request.getRequestURI();
        }

        @Override
        public String rawQuery() {
            return request.getQueryString();
        }

        @Override
        public List<String> headers(String name) {
            String first = request.getHeader(name);
            if (first == null) {
                return List.of(); // most headers asked for are absent: no enumeration to allocate
            }
            var values = request.getHeaders(name);
            return values == null ? List.of(first) : Collections.list(values);
        }
    }
}
