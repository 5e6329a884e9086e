package io.cachekit.http;

import io.cachekit.http.internal.BufferingResponse;
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
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jakarta Servlet filter that caches whole responses with an {@link HttpResponseCache} (see there for the
 * rules). A hit is answered without calling the rest of the chain; a miss runs it with the body held in
 * memory, then stores the response if it may be stored and sends it with the cache headers.
 *
 * <p>Map the filter to the {@code REQUEST} and {@code ASYNC} dispatcher types, with async support: a response
 * that completes asynchronously (a {@code CompletableFuture} controller, say) is captured and stored when its
 * async dispatch ends. One that completes without a dispatch is sent as it is and not stored.
 *
 * <p>Put it after authentication and authorization filters, so that only requests that may see a response
 * are served one. Thread-safe; one instance serves every request.
 */
public final class ResponseCacheFilter implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(ResponseCacheFilter.class);
    private static final String PENDING = ResponseCacheFilter.class.getName() + ".PENDING";

    /** Chooses the policy of a request, or null to leave the request alone. Called once per request. */
    @FunctionalInterface
    public interface PolicySelector {
        ResponseCachePolicy select(HttpServletRequest request);
    }

    private final HttpResponseCache cache;
    private final PolicySelector selector;

    /** A filter applying one policy to every request it sees. */
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
        if (req.getDispatcherType() != DispatcherType.REQUEST || req.getAttribute(PENDING) != null) {
            chain.doFilter(req, res);
            return;
        }
        ResponseCachePolicy policy = selector.select(req);
        RequestPlan plan = policy == null ? null : cache.plan(new ServletRequestView(req), policy);
        if (plan == null || plan.mode() == RequestPlan.Mode.PASS) {
            chain.doFilter(req, res);
            return;
        }
        HttpResponseCache.Served served;
        try {
            served = cache.serve(plan, () -> produce(req, res, chain, plan));
        } catch (IOException | ServletException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new ServletException(e);
        }
        send(req, res, plan, served);
    }

    private CapturedResponse produce(
            HttpServletRequest req, HttpServletResponse res, FilterChain chain, RequestPlan plan)
            throws IOException, ServletException {
        BufferingResponse buffer = new BufferingResponse(
                res, plan.policy().maxBodyBytes(), () -> res.setHeader(HttpResponseCache.X_CACHE, "MISS"));
        Pending pending = new Pending(plan, buffer, res);
        req.setAttribute(PENDING, pending);
        chain.doFilter(req, buffer);
        if (req.isAsyncStarted()) {
            req.getAsyncContext().addListener(pending);
            return null;
        }
        pending.done.set(true);
        return buffer.capture();
    }

    private void send(
            HttpServletRequest req, HttpServletResponse res, RequestPlan plan, HttpResponseCache.Served served)
            throws IOException {
        if (served.stored() != null) {
            write(res, cache.reply(plan, served.stored(), served.hit()));
            return;
        }
        CapturedResponse captured = served.captured();
        if (captured == null) {
            return; // already streamed, or completing asynchronously
        }
        Pending pending = (Pending) req.getAttribute(PENDING);
        long declared = pending == null ? -1 : pending.buffer.declaredLength();
        res.setHeader(HttpResponseCache.X_CACHE, "MISS");
        // A HEAD handler may declare the length of a body it does not write.
        res.setContentLengthLong(captured.body().length == 0 && declared > 0 ? declared : captured.body().length);
        if (!plan.headOnly() && captured.body().length > 0) {
            res.getOutputStream().write(captured.body());
        }
    }

    private static void write(HttpServletResponse res, HttpResponseCache.Reply reply) throws IOException {
        res.setStatus(reply.status());
        for (Map.Entry<String, List<String>> header : reply.headers().entrySet()) {
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
        if (reply.contentLength() >= 0) {
            res.setContentLengthLong(reply.contentLength());
        }
        if (reply.body() != null && reply.body().length > 0) {
            res.getOutputStream().write(reply.body());
        }
    }

    private void resumeAsync(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        Pending pending = (Pending) req.getAttribute(PENDING);
        if (pending == null || pending.done.get()) {
            chain.doFilter(req, res);
            return;
        }
        if (!wraps(res, pending.buffer)) {
            // This dispatch writes to the container's response, not through the buffer: nothing to capture.
            pending.done.set(true);
            pending.buffer.stopBuffering();
            chain.doFilter(req, res);
            return;
        }
        chain.doFilter(req, res);
        if (!req.isAsyncStarted() && pending.done.compareAndSet(false, true)) {
            CapturedResponse captured = pending.buffer.capture();
            HttpResponseCache.Served served =
                    new HttpResponseCache.Served(cache.store(pending.plan, captured), captured, false);
            send(req, pending.target, pending.plan, served);
        }
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

    /** A response being produced, possibly asynchronously. */
    private static final class Pending implements AsyncListener {
        final RequestPlan plan;
        final BufferingResponse buffer;
        final HttpServletResponse target;
        final AtomicBoolean done = new AtomicBoolean();

        Pending(RequestPlan plan, BufferingResponse buffer, HttpServletResponse target) {
            this.plan = plan;
            this.buffer = buffer;
            this.target = target;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            if (done.compareAndSet(false, true)) {
                // Completed without an async dispatch through this filter: send what was written, unstored.
                try {
                    buffer.stopBuffering();
                } catch (IOException | RuntimeException e) {
                    LOG.debug("Could not send a held response body after async completion", e);
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

    /** A servlet request as {@link HttpResponseCache} reads it. */
    private record ServletRequestView(HttpServletRequest request) implements HttpRequestView {
        @Override
        public String method() {
            return request.getMethod();
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
            var values = request.getHeaders(name);
            return values == null ? List.of() : Collections.list(values);
        }
    }
}
