package io.cachekit.spring.app;

import io.cachekit.CacheEvict;
import io.cachekit.Cached;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Service;

/** Cachekit's own annotations on a Spring bean. */
@Service
public class ProfileService {
    private final Calls calls;

    public ProfileService(Calls calls) {
        this.calls = calls;
    }

    @Cached(ttl = "10m")
    public User profile(long id) {
        calls.increment("profile:" + id);
        return new User(id, "user" + id);
    }

    @CacheEvict(method = "profile")
    public void forget(long id) {
        calls.increment("forget:" + id);
    }

    @Cached(ttl = "1m", key = "weather:{city}")
    public String weather(String city) {
        return "sunny in " + city + " #" + calls.increment("weather:" + city);
    }

    @Cached(ttl = "5m")
    public CompletableFuture<User> profileAsync(long id) {
        calls.increment("profileAsync:" + id);
        return CompletableFuture.supplyAsync(() -> new User(id, "async" + id));
    }

    /** Tagged by user, so that {@link #userChanged} (or the actuator) invalidates it. */
    @Cached(ttl = "10m", namespace = "cards", tags = "user:{0}")
    public User card(long id) {
        calls.increment("card:" + id);
        return new User(id, "card" + id);
    }

    @CacheEvict(tags = "user:{0}")
    public void userChanged(long id) {
        calls.increment("userChanged:" + id);
    }

    @Cached(namespace = "reports", ttl = "1h")
    public List<User> report(String name) {
        calls.increment("report:" + name);
        return List.of(new User(1, name), new User(2, name));
    }
}
