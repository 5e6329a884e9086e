package io.cachekit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.Cache;
import io.cachekit.CacheKeyIgnore;
import io.cachekit.Cached;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The method-level contract: {@link Cached} proxies over the backend under test, each test counting how often
 * the real method ran and checking every value. On stores that keep bytes this is where generic return types,
 * {@code Optional} and futures are decoded into the declared types.
 *
 * <p>{@link CacheBackendContract} runs it for every backend as a nested section; a suite of its own extends it
 * with {@link #newCache()}. Each test works in a namespace of its own. Not thread-safe (one instance per test).
 */
public abstract class MethodCachingContract {

    /** A cache in a new namespace over the backend under test. */
    protected abstract Cache newCache();

    /** An order, for a second repository of the same generic interface. */
    public record Order(long id, String item, int quantity) {}

    /** A generic repository whose methods return its type parameter in several shapes. */
    public interface Repository<T> {
        /** One entity. */
        @Cached
        T find(long id);

        /** Every entity. */
        @Cached
        List<T> all();

        /** One entity, if any. */
        @Cached
        Optional<T> maybe(long id);

        /** Entities by group. */
        @Cached
        Map<String, List<? extends T>> grouped();

        /** One entity, later. */
        @Cached
        CompletableFuture<T> findAsync(long id);
    }

    /** A repository of users. */
    public interface UserRepository extends Repository<CacheBackendContract.User> {}

    /** A repository of orders. */
    public interface OrderRepository extends Repository<Order> {}

    /** Counts every call and answers with values built from the arguments. */
    abstract static class CountingRepository<T> implements Repository<T> {
        final AtomicInteger calls = new AtomicInteger();

        abstract T make(long id);

        @Override
        public T find(long id) {
            calls.incrementAndGet();
            return make(id);
        }

        @Override
        public List<T> all() {
            calls.incrementAndGet();
            return List.of(make(1), make(2));
        }

        @Override
        public Optional<T> maybe(long id) {
            calls.incrementAndGet();
            return id > 0 ? Optional.of(make(id)) : Optional.empty();
        }

        @Override
        public Map<String, List<? extends T>> grouped() {
            calls.incrementAndGet();
            return Map.of("odd", List.of(make(1)), "even", List.of(make(2)));
        }

        @Override
        public CompletableFuture<T> findAsync(long id) {
            calls.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> make(id));
        }
    }

    static final class Users extends CountingRepository<CacheBackendContract.User> implements UserRepository {
        @Override
        CacheBackendContract.User make(long id) {
            return new CacheBackendContract.User(id, "user" + id, List.of("r"), Instant.ofEpochSecond(id));
        }
    }

    static final class Orders extends CountingRepository<Order> implements OrderRepository {
        @Override
        Order make(long id) {
            return new Order(id, "item" + id, (int) id);
        }
    }

    @Test
    void genericRepositoryMethodsDecodeIntoTheResolvedType() throws Exception {
        Cache cache = newCache();
        Users users = new Users();
        UserRepository repo = cache.proxy(UserRepository.class, users);
        for (int round = 0; round < 2; round++) {
            CacheBackendContract.User user = repo.find(7);
            assertThat(user.name()).isEqualTo("user7");
            List<CacheBackendContract.User> all = repo.all();
            assertThat(all).extracting(CacheBackendContract.User::id).containsExactly(1L, 2L);
            Map<String, List<? extends CacheBackendContract.User>> grouped = repo.grouped();
            CacheBackendContract.User odd = grouped.get("odd").get(0);
            assertThat(odd.name()).isEqualTo("user1");
            CacheBackendContract.User async = repo.findAsync(8).get(30, TimeUnit.SECONDS);
            assertThat(async.name()).isEqualTo("user8");
        }
        assertThat(users.calls).as("each method ran once, then hit").hasValue(4);
    }

    @Test
    void twoRepositoriesOfOneGenericInterfaceNeverShareEntries() {
        Cache cache = newCache();
        Users users = new Users();
        Orders orders = new Orders();
        UserRepository userRepo = cache.proxy(UserRepository.class, users);
        OrderRepository orderRepo = cache.proxy(OrderRepository.class, orders);
        for (int round = 0; round < 2; round++) {
            assertThat(userRepo.find(1).name()).isEqualTo("user1");
            assertThat(orderRepo.find(1).item()).isEqualTo("item1");
        }
        assertThat(users.calls).hasValue(1);
        assertThat(orders.calls).hasValue(1);
    }

    @Test
    void optionalResultsAreCachedEmptyOrNot() {
        Cache cache = newCache();
        Orders orders = new Orders();
        OrderRepository repo = cache.proxy(OrderRepository.class, orders);
        for (int round = 0; round < 2; round++) {
            assertThat(repo.maybe(3)).contains(new Order(3, "item3", 3));
            assertThat(repo.maybe(0)).isEmpty();
        }
        assertThat(orders.calls).hasValue(2);
    }

    /** Futures and nulls, with and without caching nulls. */
    public interface Lookups {
        /** An order, cached when its future completes. */
        @Cached
        CompletableFuture<Order> order(long id);

        /** A customer's orders, cached when the stage completes. */
        @Cached
        CompletionStage<List<Order>> orders(String customer);

        /** Always null, cached. */
        @Cached
        Order nothing(long id);

        /** Always null, not cached. */
        @Cached(cacheNull = false)
        Order nothingUncached(long id);

        /** An overload taking a {@code long}. */
        @Cached
        String describe(long id);

        /** An overload taking a {@code String}. */
        @Cached
        String describe(String id);

        /** An overload whose second argument is left out of the key. */
        @Cached
        String describe(long id, @CacheKeyIgnore Object requestContext);

        /** Two strings joined, keyed by a template with a delimiter. */
        @Cached(key = "{0}:{1}")
        String join(String first, String second);
    }

    static final class CountingLookups implements Lookups {
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean fail;

        @Override
        public CompletableFuture<Order> order(long id) {
            calls.incrementAndGet();
            if (fail) {
                return CompletableFuture.failedFuture(new IllegalStateException("order service down"));
            }
            return CompletableFuture.supplyAsync(() -> new Order(id, "async" + id, 1));
        }

        @Override
        public CompletionStage<List<Order>> orders(String customer) {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(List.of(new Order(1, customer, 2)));
        }

        @Override
        public Order nothing(long id) {
            calls.incrementAndGet();
            return null;
        }

        @Override
        public Order nothingUncached(long id) {
            calls.incrementAndGet();
            return null;
        }

        @Override
        public String describe(long id) {
            calls.incrementAndGet();
            return "long " + id;
        }

        @Override
        public String describe(String id) {
            calls.incrementAndGet();
            return "string " + id;
        }

        @Override
        public String describe(long id, Object requestContext) {
            calls.incrementAndGet();
            return "context " + id;
        }

        @Override
        public String join(String first, String second) {
            calls.incrementAndGet();
            return first + "|" + second;
        }
    }

    @Test
    void completableFuturesAreCachedAndFailedOnesNever() throws Exception {
        Cache cache = newCache();
        CountingLookups real = new CountingLookups();
        Lookups lookups = cache.proxy(Lookups.class, real);
        real.fail = true;
        assertThatThrownBy(() -> lookups.order(5).get(30, TimeUnit.SECONDS)).hasRootCauseMessage("order service down");
        real.fail = false;
        for (int round = 0; round < 2; round++) {
            assertThat(lookups.order(5).get(30, TimeUnit.SECONDS)).isEqualTo(new Order(5, "async5", 1));
        }
        assertThat(real.calls).as("the failure was not cached; the value was").hasValue(2);
    }

    @Test
    void completionStagesAreCached() throws Exception {
        Cache cache = newCache();
        CountingLookups real = new CountingLookups();
        Lookups lookups = cache.proxy(Lookups.class, real);
        for (int round = 0; round < 2; round++) {
            List<Order> orders = lookups.orders("ann").toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(orders).containsExactly(new Order(1, "ann", 2));
        }
        assertThat(real.calls).hasValue(1);
    }

    @Test
    void nullResultsAreCachedUnlessTold() {
        Cache cache = newCache();
        CountingLookups real = new CountingLookups();
        Lookups lookups = cache.proxy(Lookups.class, real);
        for (int round = 0; round < 2; round++) {
            assertThat(lookups.nothing(1)).isNull();
            assertThat(lookups.nothingUncached(1)).isNull();
        }
        assertThat(real.calls).as("nothing: once; nothingUncached: every time").hasValue(3);
    }

    @Test
    void overloadsAndIgnoredParametersKeepTheirOwnEntries() {
        Cache cache = newCache();
        CountingLookups real = new CountingLookups();
        Lookups lookups = cache.proxy(Lookups.class, real);
        for (int round = 0; round < 2; round++) {
            assertThat(lookups.describe(1L)).isEqualTo("long 1");
            assertThat(lookups.describe("1")).isEqualTo("string 1");
            assertThat(lookups.describe(1L, new Object())).isEqualTo("context 1");
        }
        assertThat(real.calls).hasValue(3);
    }

    @Test
    void keyTemplatesKeepValuesWithDelimitersApart() {
        Cache cache = newCache();
        CountingLookups real = new CountingLookups();
        Lookups lookups = cache.proxy(Lookups.class, real);
        for (int round = 0; round < 2; round++) {
            assertThat(lookups.join("a:b", "c")).isEqualTo("a:b|c");
            assertThat(lookups.join("a", "b:c")).isEqualTo("a|b:c");
            assertThat(lookups.join(null, "x")).isEqualTo("null|x");
            assertThat(lookups.join("null", "x")).isEqualTo("null|x");
        }
        assertThat(real.calls).hasValue(4);
    }

    @Test
    void twoProxiesOfOneInterfaceNeverShareSilently() {
        Cache cache = newCache();
        Orders first = new Orders();
        Orders second = new Orders();
        OrderRepository ebay = cache.proxy(OrderRepository.class, first, "ebay");
        OrderRepository amazon = cache.proxy(OrderRepository.class, second, "amazon");
        for (int round = 0; round < 2; round++) {
            assertThat(ebay.find(1).id()).isEqualTo(1);
            assertThat(amazon.find(1).id()).isEqualTo(1);
        }
        assertThat(first.calls).hasValue(1);
        assertThat(second.calls).hasValue(1);

        OrderRepository unnamed = cache.proxy(OrderRepository.class, first);
        assertThat(unnamed.find(2).id()).isEqualTo(2);
        assertThatThrownBy(() -> cache.proxy(OrderRepository.class, second))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Name each proxy");
        assertThat(cache.proxy(OrderRepository.class, first).find(2).id())
                .as("the same target again is the same proxy")
                .isEqualTo(2);
        assertThat(first.calls).hasValue(2);
    }
}
