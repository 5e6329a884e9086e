package io.cachekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Point 4 of issue 8: template values are escaped, so values with delimiters or null never meet. */
class KeyTemplateTest {

    public interface Api {
        @Cached(key = "{0}:{1}")
        String join(String a, String b);

        @Cached(key = "user/{0}/{1}")
        String path(Object a, Long b);

        @Cached(key = "x{0}")
        String tail(String a);
    }

    static final class Real implements Api {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String join(String a, String b) {
            calls.incrementAndGet();
            return a + "|" + b;
        }

        @Override
        public String path(Object a, Long b) {
            calls.incrementAndGet();
            return a + "|" + b;
        }

        @Override
        public String tail(String a) {
            calls.incrementAndGet();
            return "tail " + a;
        }
    }

    private final Cache cache = Cachekit.fromUri("memory://?storeByValue=true");
    private final Real real = new Real();
    private final Api api = cache.proxy(Api.class, real);

    @Test
    void delimitersInValuesNeverMakeTwoCallsMeet() {
        for (int round = 0; round < 2; round++) {
            assertThat(api.join("a:b", "c")).isEqualTo("a:b|c");
            assertThat(api.join("a", "b:c")).isEqualTo("a|b:c");
            assertThat(api.join("a%003Ab", "c")).isEqualTo("a%003Ab|c");
            assertThat(api.join("", ":")).isEqualTo("|:");
            assertThat(api.join(":", "")).isEqualTo(":|");
        }
        assertThat(real.calls).hasValue(5);
    }

    @Test
    void nullNeverMeetsTheStringNull() {
        for (int round = 0; round < 2; round++) {
            assertThat(api.join(null, "x")).isEqualTo("null|x");
            assertThat(api.join("null", "x")).isEqualTo("null|x");
            assertThat(api.join("%null", "x")).isEqualTo("%null|x");
            assertThat(api.path(null, null)).isEqualTo("null|null");
            assertThat(api.path("null", 1L)).isEqualTo("null|1");
        }
        assertThat(real.calls).hasValue(5);
    }

    @Test
    void valuesOfDifferentTypesNeverMeetUnderObject() {
        for (int round = 0; round < 2; round++) {
            assertThat(api.path(1, 2L)).isEqualTo("1|2");
            assertThat(api.path(1L, 2L)).isEqualTo("1|2");
            assertThat(api.path("1", 2L)).isEqualTo("1|2");
        }
        assertThat(real.calls).hasValue(3);
    }

    @Test
    void keysStayReadable() {
        api.join("alice", "42");
        api.tail("a:b");
        assertThat(cache.has("alice:42")).isTrue();
        assertThat(cache.has("xa:b"))
                .as("the last value has no stop character to escape")
                .isTrue();
    }

    public interface Ambiguous {
        @Cached(key = "{0}{1}")
        String touching(String a, String b);
    }

    public interface HexAfter {
        @Cached(key = "{0}A")
        String hex(String a);
    }

    public interface Percent {
        @Cached(key = "{0}%{1}")
        String percent(String a, String b);
    }

    @Test
    void ambiguousTemplatesAreRefusedWhenTheProxyIsMade() {
        assertThatThrownBy(() -> cache.proxy(Ambiguous.class, (a, b) -> a + b))
                .isInstanceOf(CacheKeyException.class)
                .hasMessageContaining("nothing between them");
        assertThatThrownBy(() -> cache.proxy(HexAfter.class, a -> a))
                .isInstanceOf(CacheKeyException.class)
                .hasMessageContaining("followed by 'A'");
        assertThatThrownBy(() -> cache.proxy(Percent.class, (a, b) -> a + b))
                .isInstanceOf(CacheKeyException.class)
                .hasMessageContaining("'%'");
    }
}
