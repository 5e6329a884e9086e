package io.cachekit.spring.app;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Repository;

/** Plain Spring caching annotations, as existing applications have them. */
@Repository
public class UserRepository {
    private final Calls calls;

    public UserRepository(Calls calls) {
        this.calls = calls;
    }

    @Cacheable("users")
    public User find(long id) {
        calls.increment("find:" + id);
        return new User(id, "user" + id);
    }

    @Cacheable("users")
    public User findByName(String first, String last) {
        calls.increment("findByName:" + first + " " + last);
        return new User(first.length() + last.length(), first + " " + last);
    }

    @Cacheable(cacheNames = "users-sync", sync = true)
    public User findSync(long id) {
        calls.increment("findSync:" + id);
        return new User(id, "sync" + id);
    }

    @Cacheable("users-async")
    public CompletableFuture<User> findAsync(long id) {
        calls.increment("findAsync:" + id);
        return CompletableFuture.supplyAsync(() -> new User(id, "async" + id));
    }

    @Cacheable(cacheNames = "users-async", sync = true)
    public CompletableFuture<User> findAsyncSync(long id) {
        calls.increment("findAsyncSync:" + id);
        return CompletableFuture.supplyAsync(() -> new User(id, "async-sync" + id));
    }

    @Cacheable("user-lists")
    public List<User> team(String team) {
        calls.increment("team:" + team);
        return List.of(new User(1, team + "-a"), new User(2, team + "-b"));
    }

    @Cacheable("nothing")
    public User missing(long id) {
        calls.increment("missing:" + id);
        return null;
    }

    @CachePut(cacheNames = "users", key = "#user.id")
    public User save(User user) {
        calls.increment("save:" + user.id());
        return user;
    }

    @CacheEvict(cacheNames = "users", key = "#id")
    public void delete(long id) {
        calls.increment("delete:" + id);
    }
}
