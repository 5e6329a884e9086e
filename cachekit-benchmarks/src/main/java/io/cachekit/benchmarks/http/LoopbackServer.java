package io.cachekit.benchmarks.http;

import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.http.HttpResponseCache;
import io.cachekit.http.ResponseCacheFilter;
import io.cachekit.http.ResponseCachePolicy;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/**
 * One embedded Tomcat on a loopback port and one HTTP/1.1 client for both rows of a comparison: {@code
 * /plain/item} is a servlet that writes the body's bytes of JSON; {@code /cached/item} is the same
 * servlet behind a {@link ResponseCacheFilter} on the in-memory backend (TTL one hour), so after the first call
 * every call is a HIT that never reaches the servlet. Both answer the same bytes with the same {@code
 * Content-Type}; the client sends no {@code Accept-Encoding}, so nothing is compressed. {@code /headers/item}
 * is the plain servlet sending, besides, the very cache headers a HIT carries ({@code X-Cache}, {@code
 * Cache-Status}, {@code ETag}, {@code Cache-Control}, {@code Age}, {@code Vary}, copied from a HIT at start):
 * what those headers cost Tomcat and the client, without the cache.
 *
 * <p>{@link #start} checks that a second call of {@code /cached/item} is a HIT; {@link #stop} fails the run if
 * the servlet ran more than once behind the cache, so every measured cached call was a hit. The benchmark's
 * state classes ({@link HttpHitBenchmark.Body1k}, {@link HttpHitBenchmark.Body50k}) start one per fork.
 */
final class LoopbackServer {
    /** Tomcat logs its start and stop at INFO through JUL, which would drown the runner's progress lines. */
    private static final Logger TOMCAT_LOG = Logger.getLogger("org.apache");

    /** The headers a HIT adds to what the plain servlet sends, lower case. */
    private static final Set<String> CACHE_HEADERS =
            Set.of("x-cache", "cache-status", "etag", "cache-control", "age", "vary");

    static {
        TOMCAT_LOG.setLevel(Level.WARNING);
    }

    private final int bodyBytes;
    private final LongAdder cachedRuns = new LongAdder();
    private Path baseDir;
    private Tomcat tomcat;
    private Cache cache;
    private HttpClient client;
    private HttpRequest plain;
    private HttpRequest cached;
    private HttpRequest withCacheHeaders;

    private LoopbackServer(int bodyBytes) {
        this.bodyBytes = bodyBytes;
    }

    /** Starts a server whose endpoints answer {@code bodyBytes} bytes, and checks that the cached one HITs. */
    static LoopbackServer start(int bodyBytes) throws IOException, LifecycleException {
        LoopbackServer server = new LoopbackServer(bodyBytes);
        server.startTomcat();
        return server;
    }

    private void startTomcat() throws IOException, LifecycleException {
        byte[] body = body(bodyBytes);
        baseDir = Files.createTempDirectory("cachekit-http-bench");
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        tomcat.setHostname("127.0.0.1");
        tomcat.setPort(0);
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        StandardContext context = (StandardContext) tomcat.addContext("", baseDir.toString());
        // Leak detection at stop needs --add-opens and warns without them; nothing here is redeployed.
        context.setClearReferencesThreadLocals(false);
        context.setClearReferencesRmiTargets(false);
        Items items = new Items(body, cachedRuns);
        Tomcat.addServlet(context, "items", items);
        context.addServletMappingDecoded("/*", "items");
        cache = Cachekit.fromUri("memory://?namespace=http");
        ResponseCachePolicy policy =
                ResponseCachePolicy.builder().ttl(Duration.ofHours(1)).build();
        FilterDef def = new FilterDef();
        def.setFilterName("responseCache");
        def.setFilter(new ResponseCacheFilter(new HttpResponseCache(cache), policy));
        context.addFilterDef(def);
        FilterMap map = new FilterMap();
        map.setFilterName("responseCache");
        map.addURLPattern("/cached/*");
        context.addFilterMap(map);
        tomcat.start();
        int port = tomcat.getConnector().getLocalPort();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        plain = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/plain/item"))
                .build();
        cached = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/cached/item"))
                .build();
        withCacheHeaders = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/headers/item"))
                .build();
        get(cached);
        HttpResponse<byte[]> hit = send(cached);
        if (!hit.headers().firstValue("X-Cache").orElse("").equals("HIT")
                || hit.body().length != bodyBytes
                || send(plain).body().length != bodyBytes) {
            throw new IllegalStateException("The cached endpoint does not answer HITs of " + bodyBytes + " bytes");
        }
        Map<String, List<String>> cacheHeaders = new LinkedHashMap<>();
        hit.headers().map().forEach((name, values) -> {
            if (CACHE_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                cacheHeaders.put(name, values);
            }
        });
        if (cacheHeaders.size() != CACHE_HEADERS.size()) {
            throw new IllegalStateException("A HIT carries the cache headers " + cacheHeaders.keySet() + ", not "
                    + CACHE_HEADERS + ": the plain endpoint with cache headers would not send the same");
        }
        items.cacheHeaders = Map.copyOf(cacheHeaders);
    }

    /** Stops the server; fails if the servlet ran more than once behind the cache. */
    void stop() throws LifecycleException, IOException {
        try {
            if (cachedRuns.sum() != 1) {
                throw new IllegalStateException(
                        "The servlet ran " + cachedRuns.sum() + " times behind the cache: not every call was a HIT");
            }
        } finally {
            tomcat.stop();
            tomcat.destroy();
            cache.close();
            try (Stream<Path> files = Files.walk(baseDir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** A GET of the plain endpoint; returns the body's length. */
    int plain() {
        return get(plain);
    }

    /** A GET of the plain endpoint that sends the cache headers of a HIT too; returns the body's length. */
    int plainWithCacheHeaders() {
        return get(withCacheHeaders);
    }

    /** A GET of the cached endpoint; returns the body's length. */
    int cached() {
        return get(cached);
    }

    private int get(HttpRequest request) {
        HttpResponse<byte[]> response = send(request);
        if (response.statusCode() != 200) {
            throw new IllegalStateException(request.uri() + " answered " + response.statusCode());
        }
        return response.body().length;
    }

    private HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code size} bytes of JSON: an array of short strings, padded to the exact size. */
    static byte[] body(int size) {
        StringBuilder json = new StringBuilder(size).append("{\"items\":[");
        int i = 0;
        while (json.length() < size - 40) {
            json.append(i == 0 ? "" : ",").append("\"item-").append(i++).append('"');
        }
        json.append("],\"pad\":\"");
        while (json.length() < size - 2) {
            json.append('x');
        }
        return json.append("\"}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Writes the same bytes for every path; counts its runs behind the cache. */
    private static final class Items extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient byte[] body;
        private final transient LongAdder cachedRuns;
        /** The cache headers of a HIT, sent by {@code /headers/item}; set once the server answers HITs. */
        transient volatile Map<String, List<String>> cacheHeaders = Map.of();

        Items(byte[] body, LongAdder cachedRuns) {
            this.body = body;
            this.cachedRuns = cachedRuns;
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
            if (req.getRequestURI().startsWith("/cached/")) {
                cachedRuns.increment();
            }
            if (req.getRequestURI().startsWith("/headers/")) {
                cacheHeaders.forEach((name, values) -> values.forEach(v -> res.addHeader(name, v)));
            }
            res.setContentType("application/json");
            res.setContentLength(body.length);
            res.getOutputStream().write(body);
        }
    }
}
