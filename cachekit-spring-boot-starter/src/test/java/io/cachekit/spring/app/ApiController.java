package io.cachekit.spring.app;

import io.cachekit.spring.CachedResponse;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** Endpoints whose calls are counted, cached by annotation or by the configured path patterns. */
@RestController
public class ApiController {
    private final Calls calls;
    private final ProfileService profiles;
    private final UserRepository users;

    public ApiController(Calls calls, ProfileService profiles, UserRepository users) {
        this.calls = calls;
        this.profiles = profiles;
        this.users = users;
    }

    @GetMapping("/api/profile/{id}")
    @CachedResponse(ttl = "30s")
    public User profile(@PathVariable long id) {
        calls.increment("http-profile:" + id);
        return new User(id, "user" + id);
    }

    @PostMapping("/api/profile/{id}")
    @CachedResponse
    public User update(@PathVariable long id) {
        calls.increment("http-update:" + id);
        return new User(id, "updated" + id);
    }

    @GetMapping("/api/me/{test}")
    @CachedResponse
    public String me(@PathVariable String test, @RequestHeader(value = "X-User", required = false) String user) {
        calls.increment("http-me:" + test + ":" + user);
        return "hello " + (user == null ? "nobody" : user);
    }

    @GetMapping("/api/missing/{id}")
    @CachedResponse
    public ResponseEntity<String> missing(@PathVariable long id) {
        calls.increment("http-missing:" + id);
        return ResponseEntity.status(404).body("no user " + id);
    }

    @GetMapping("/api/future/{id}")
    @CachedResponse(ttl = "2m")
    public CompletableFuture<User> future(@PathVariable long id) {
        calls.increment("http-future:" + id);
        return CompletableFuture.supplyAsync(() -> new User(id, "future" + id));
    }

    @GetMapping("/static/info/{id}")
    public String info(@PathVariable long id) {
        calls.increment("http-info:" + id);
        return "info " + id;
    }

    @GetMapping("/api/uncached/{id}")
    public String uncached(@PathVariable long id) {
        calls.increment("http-uncached:" + id);
        return "uncached " + id;
    }

    @GetMapping("/api/everything/{id}")
    public String everything(@PathVariable long id) {
        return profiles.profile(id).name() + " / " + users.find(id).name();
    }
}
