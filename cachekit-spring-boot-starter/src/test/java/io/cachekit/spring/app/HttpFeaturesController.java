package io.cachekit.spring.app;

import io.cachekit.spring.CachedResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** Endpoints for invalidation, tags, compression, stale responses and POST caching; every run is counted. */
@RestController
public class HttpFeaturesController {
    private final Calls calls;
    private final Gate gate;

    public HttpFeaturesController(Calls calls, Gate gate) {
        this.calls = calls;
        this.gate = gate;
    }

    @GetMapping("/api/products/{id}")
    @CachedResponse(
            ttl = "1m",
            tags = {"product:{id}", "products"})
    public String product(@PathVariable long id, HttpServletResponse response) {
        int run = calls.increment("product:" + id);
        response.setHeader("Surrogate-Key", "catalog");
        return "product " + id + " run " + run;
    }

    @PutMapping("/api/products/{id}")
    public ResponseEntity<Void> updateProduct(@PathVariable long id) {
        calls.increment("update-product:" + id);
        return ResponseEntity.noContent().build();
    }

    @DeleteMapping("/api/products/{id}")
    public ResponseEntity<Void> deleteProduct(@PathVariable long id) {
        calls.increment("delete-product:" + id);
        return ResponseEntity.notFound().build();
    }

    @GetMapping(value = "/api/big/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @CachedResponse
    public String big(@PathVariable long id) {
        calls.increment("big:" + id);
        return bigJson(id);
    }

    @GetMapping(value = "/api/uncached-big/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    public String uncachedBig(@PathVariable long id) {
        return bigJson(id);
    }

    static String bigJson(long id) {
        return "{\"id\":" + id + ",\"items\":[" + "\"an item of the catalog\",".repeat(250) + "\"last\"]}";
    }

    @GetMapping("/api/stale/{id}")
    @CachedResponse(ttl = "10s", staleWhileRevalidate = "1m", staleIfError = "10m")
    public String stale(@PathVariable long id) throws InterruptedException {
        int run = calls.increment("stale:" + id);
        fail(gate.pass());
        return "stale " + id + " run " + run;
    }

    @GetMapping("/api/stale-future/{id}")
    @CachedResponse(ttl = "10s", staleWhileRevalidate = "1m")
    public CompletableFuture<String> staleFuture(@PathVariable long id) {
        int run = calls.increment("stale-future:" + id);
        return CompletableFuture.supplyAsync(() -> "future " + id + " run " + run);
    }

    private static void fail(Gate.Failure how) {
        switch (how) {
            case THROW -> throw new IllegalStateException("the handler failed");
            case STATUS_503 -> throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "overloaded");
            case NONE -> {
                // answers
            }
        }
    }

    @PostMapping("/api/search")
    @CachedResponse(cachePost = true)
    public String search(@RequestBody String query) {
        return "results for " + query + " run " + calls.increment("search:" + query);
    }

    @PostMapping("/api/query/{name}")
    public String query(@PathVariable String name, @RequestBody String query) {
        return name + " " + query + " run " + calls.increment("query:" + name + ":" + query);
    }

    @PostMapping("/api/orders/{id}")
    public String order(@PathVariable long id, @RequestBody String order) {
        return "order " + id + " run " + calls.increment("order:" + id);
    }
}
