package io.cachekit.http;

import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.tck.ManualClock;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
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

/**
 * The filter in a real servlet container (Tomcat on a random loopback port), called over HTTP. Handlers are
 * registered per path; the servlet counts every run of a handler before it runs it. Policies are chosen by the
 * longest registered path prefix.
 */
final class FilterFixture implements AutoCloseable {
    /** A handler: the request, the response, and which run of its path this is (1, 2, ...). */
    @FunctionalInterface
    interface Handler {
        void handle(HttpServletRequest req, HttpServletResponse res, int run) throws Exception;
    }

    final ManualClock clock = new ManualClock(Instant.ofEpochMilli(1_700_000_000_000L));
    final Cache cache;
    final HttpResponseCache responses;
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
    private final Map<String, ResponseCachePolicy> policies = new ConcurrentHashMap<>();
    private final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final TestServer server;

    FilterFixture(Path baseDir, ResponseCachePolicy defaultPolicy) throws Exception {
        this(baseDir, defaultPolicy, null);
    }

    FilterFixture(Path baseDir, ResponseCachePolicy defaultPolicy, Cache store) throws Exception {
        this.cache = store != null
                ? store
                : Cachekit.create(CachekitConfig.builder()
                        .backend("memory://")
                        .namespace("http")
                        .clock(clock)
                        .build());
        this.responses = new HttpResponseCache(cache);
        policies.put("/", defaultPolicy);
        ResponseCacheFilter.PolicySelector selector = req -> {
            String best = "/";
            for (String prefix : policies.keySet()) {
                if (req.getRequestURI().startsWith(prefix) && prefix.length() > best.length()) {
                    best = prefix;
                }
            }
            return policies.get(best);
        };
        this.server = new TestServer(baseDir, new ResponseCacheFilter(responses, selector), new App());
    }

    /** Serves {@code path} (exactly, without query) with {@code handler}. */
    FilterFixture handle(String path, Handler handler) {
        handlers.put(path, handler);
        return this;
    }

    /** Applies {@code policy} to requests whose path starts with {@code prefix}. */
    FilterFixture policy(String prefix, ResponseCachePolicy policy) {
        policies.put(prefix, policy);
        return this;
    }

    /** How often the handler of {@code path} ran. */
    int runs(String path) {
        AtomicInteger n = runs.get(path);
        return n == null ? 0 : n.get();
    }

    int port() {
        return server.port;
    }

    HttpResponse<String> get(String pathAndQuery, String... headers) {
        return send("GET", pathAndQuery, null, headers);
    }

    HttpResponse<String> send(String method, String pathAndQuery, String body, String... headers) {
        return sendTo("127.0.0.1", method, pathAndQuery, body, headers);
    }

    /** A request to {@code host} (a name of the loopback address), so that its {@code Host} header differs. */
    HttpResponse<String> sendTo(String host, String method, String pathAndQuery, String body, String... headers) {
        HttpResponse<byte[]> r = sendForBytes(host, method, pathAndQuery, body, headers);
        return new StringResponse(r);
    }

    HttpResponse<byte[]> sendForBytes(String host, String method, String pathAndQuery, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host + ":" + server.port + pathAndQuery))
                // a guard against a request that never ends, never an assertion on timing
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (headers.length > 0) {
            b.headers(headers);
        }
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws org.apache.catalina.LifecycleException {
        server.close();
        cache.close();
    }

    /** Counts, then runs the registered handler; 404 for a path without one. */
    private final class App extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
            String path = req.getRequestURI();
            Handler handler = handlers.get(path);
            if (handler == null) {
                res.sendError(404);
                return;
            }
            AtomicInteger counter = runs.computeIfAbsent(path, p -> new AtomicInteger());
            // An async dispatch continues a run: it is not counted again.
            int run = req.getDispatcherType() == DispatcherType.ASYNC ? counter.get() : counter.incrementAndGet();
            try {
                handler.handle(req, res, run);
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A response whose body is read as UTF-8 text. */
    private record StringResponse(HttpResponse<byte[]> bytes) implements HttpResponse<String> {
        @Override
        public int statusCode() {
            return bytes.statusCode();
        }

        @Override
        public HttpRequest request() {
            return bytes.request();
        }

        @Override
        public java.util.Optional<HttpResponse<String>> previousResponse() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return bytes.headers();
        }

        @Override
        public String body() {
            return new String(bytes.body(), StandardCharsets.UTF_8);
        }

        @Override
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return bytes.sslSession();
        }

        @Override
        public URI uri() {
            return bytes.uri();
        }

        @Override
        public HttpClient.Version version() {
            return bytes.version();
        }
    }
}
