package io.cachekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.Cache;
import io.cachekit.Cached;
import io.cachekit.Cachekit;
import io.cachekit.spring.internal.CachedMethodAdvisor;
import io.cachekit.spring.internal.CachedMethodInterceptor;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.ProxyFactory;

/**
 * Points 1 and 2 of issue 8 for Spring beans: a generic method inherited by a bean class is decoded into the
 * type the bean's class binds, and two bean classes sharing it never share entries.
 */
class GenericBeanMethodCachingTest {

    public record User(long id, String name) {}

    public record Order(long id, int quantity) {}

    public abstract static class Repository<T> {
        final AtomicInteger calls = new AtomicInteger();

        @Cached
        public T find(long id) {
            calls.incrementAndGet();
            return make(id);
        }

        @Cached
        public List<T> all() {
            calls.incrementAndGet();
            return List.of(make(1), make(2));
        }

        abstract T make(long id);
    }

    public static class UserRepository extends Repository<User> {
        @Override
        User make(long id) {
            return new User(id, "user" + id);
        }
    }

    public static class OrderRepository extends Repository<Order> {
        @Override
        Order make(long id) {
            return new Order(id, (int) id);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T advised(T bean, Cache cache) {
        ProxyFactory factory = new ProxyFactory(bean);
        factory.setProxyTargetClass(true);
        factory.addAdvisor(new CachedMethodAdvisor(new CachedMethodInterceptor(() -> cache, namespace -> {})));
        return (T) factory.getProxy();
    }

    @Test
    void hitsOnAStoreOfBytesDecodeIntoTheTypeTheBeanClassBinds() {
        try (Cache cache = Cachekit.fromUri("memory://?storeByValue=true&namespace=beans")) {
            UserRepository users = new UserRepository();
            OrderRepository orders = new OrderRepository();
            UserRepository userProxy = advised(users, cache);
            OrderRepository orderProxy = advised(orders, cache);
            for (int round = 0; round < 2; round++) {
                User user = userProxy.find(1);
                assertThat(user).isEqualTo(new User(1, "user1"));
                User second = userProxy.all().get(1);
                assertThat(second.name()).isEqualTo("user2");
                Order order = orderProxy.find(1);
                assertThat(order).isEqualTo(new Order(1, 1));
            }
            assertThat(users.calls).hasValue(2);
            assertThat(orders.calls).as("never the user repository's entry").hasValue(1);
        }
    }
}
