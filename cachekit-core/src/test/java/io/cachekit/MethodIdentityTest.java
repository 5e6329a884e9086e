package io.cachekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/** Point 2 of issue 8: the key names the proxied type, and proxies of one interface never share silently. */
class MethodIdentityTest {

    public interface Repo<T> {
        @Cached
        T find(long id);
    }

    public interface UserRepo extends Repo<String> {}

    public interface OrderRepo extends Repo<String> {}

    public interface Shop {
        @Cached
        String price(long id);

        @Cached
        String price(String id);

        @Cached
        default String label(long id) {
            return "label " + price(id);
        }
    }

    /** A covariant override: javac writes a bridge method into the sub-interface. */
    public interface NarrowRepo extends Repo<Object> {
        @Override
        @Cached
        String find(long id);
    }

    static final class Narrow implements NarrowRepo {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String find(long id) {
            calls.incrementAndGet();
            return "n" + id;
        }
    }

    static final class CountingRepo implements UserRepo, OrderRepo {
        final AtomicInteger calls = new AtomicInteger();
        final String prefix;

        CountingRepo(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public String find(long id) {
            calls.incrementAndGet();
            return prefix + id;
        }
    }

    static final class CountingShop implements Shop {
        final AtomicInteger calls = new AtomicInteger();
        final String name;

        CountingShop(String name) {
            this.name = name;
        }

        @Override
        public String price(long id) {
            calls.incrementAndGet();
            return name + " long " + id;
        }

        @Override
        public String price(String id) {
            calls.incrementAndGet();
            return name + " string " + id;
        }
    }

    static final class OtherShop implements Shop {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String price(long id) {
            calls.incrementAndGet();
            return "other " + id;
        }

        @Override
        public String price(String id) {
            calls.incrementAndGet();
            return "other " + id;
        }
    }

    private final Cache cache = Cachekit.fromUri("memory://?storeByValue=true");

    @Test
    void subInterfacesOfOneGenericInterfaceNeverShareEntries() {
        CountingRepo real = new CountingRepo("x");
        UserRepo users = cache.proxy(UserRepo.class, real);
        OrderRepo orders = cache.proxy(OrderRepo.class, real);
        for (int round = 0; round < 2; round++) {
            assertThat(users.find(1)).isEqualTo("x1");
            assertThat(orders.find(1)).isEqualTo("x1");
        }
        assertThat(real.calls).as("one entry each").hasValue(2);
    }

    @Test
    void overloadsAndDefaultMethodsHaveTheirOwnEntries() {
        CountingShop real = new CountingShop("s");
        Shop shop = cache.proxy(Shop.class, real);
        for (int round = 0; round < 2; round++) {
            assertThat(shop.price(1L)).isEqualTo("s long 1");
            assertThat(shop.price("1")).isEqualTo("s string 1");
            assertThat(shop.label(1L)).isEqualTo("label s long 1");
        }
        // label ran once and called the target's price (not the proxy), so 3 real calls in all
        assertThat(real.calls).hasValue(3);
    }

    @Test
    void aBridgeMethodSharesTheEntryOfTheMethodItBridges() {
        Narrow real = new Narrow();
        NarrowRepo narrow = cache.proxy(NarrowRepo.class, real);
        Repo<Object> wide = narrow;
        for (int round = 0; round < 2; round++) {
            assertThat(narrow.find(5)).isEqualTo("n5");
            assertThat(wide.find(5)).isEqualTo("n5");
        }
        assertThat(real.calls).hasValue(1);
    }

    @Test
    void targetsOfDifferentStableClassesHaveTheirOwnEntries() {
        CountingShop first = new CountingShop("first");
        OtherShop other = new OtherShop();
        Shop a = cache.proxy(Shop.class, first);
        Shop b = cache.proxy(Shop.class, other);
        for (int round = 0; round < 2; round++) {
            assertThat(a.price(1L)).isEqualTo("first long 1");
            assertThat(b.price(1L)).isEqualTo("other 1");
        }
        assertThat(first.calls).hasValue(1);
        assertThat(other.calls).hasValue(1);
    }

    @Test
    void namedProxiesOverTargetsOfOneClassHaveTheirOwnEntries() {
        CountingShop ebay = new CountingShop("ebay");
        CountingShop amazon = new CountingShop("amazon");
        Shop a = cache.proxy(Shop.class, ebay, "ebay");
        Shop b = cache.proxy(Shop.class, amazon, "amazon");
        for (int round = 0; round < 2; round++) {
            assertThat(a.price(1L)).isEqualTo("ebay long 1");
            assertThat(b.price(1L)).isEqualTo("amazon long 1");
        }
        assertThat(ebay.calls).hasValue(1);
        assertThat(amazon.calls).hasValue(1);
        Shop again = cache.proxy(Shop.class, new CountingShop("ignored"), "ebay");
        assertThat(again.price(1L)).as("one name, one set of entries").isEqualTo("ebay long 1");
    }

    public interface Lookup {
        @Cached
        String get(long id);
    }

    @Test
    void aSecondUnnamedProxyThatNothingTellsApartFailsFast() {
        LongFunction<String> first = id -> "first " + id;
        LongFunction<String> second = id -> "second " + id;
        Lookup a = cache.proxy(Lookup.class, first::apply);
        assertThat(a.get(1)).isEqualTo("first 1");
        assertThatThrownBy(() -> cache.proxy(Lookup.class, second::apply))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no name that is stable")
                .hasMessageContaining("cache.proxy(Lookup.class, target, \"name\")");
        assertThatCode(() -> cache.proxy(Shop.class, new CountingShop("1")))
                .as("the first of its class is fine")
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> cache.proxy(Shop.class, new CountingShop("2")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("both targets are " + CountingShop.class.getName());
        Lookup named = cache.proxy(Lookup.class, second::apply, "second");
        assertThat(named.get(1)).isEqualTo("second 1");
    }

    @Test
    void keysNameTheTypeTheProxyAndTheSignature() {
        CountingShop real = new CountingShop("s");
        cache.proxy(Shop.class, real, "fixed").price(1L);
        String digest = io.cachekit.key.ArgumentEncoder.digest(Shop.class.getName() + "|name:fixed|price(long)");
        assertThat(cache.has("MethodIdentityTest$Shop[fixed].price~" + digest.substring(0, 8) + ":[1]"))
                .isTrue();
    }
}
