package io.cachekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.key.ArgumentEncoder;
import io.cachekit.key.KeyGenerator;
import java.lang.reflect.Method;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Keys must be the same in every JVM and after restarts, so these tests compare with fixed text. */
class KeysTest {

    enum Unit {
        CELSIUS,
        FAHRENHEIT
    }

    record Query(String city, Unit unit, List<Integer> days) {}

    interface Api {
        String forecast(String city, int days);

        String query(Query query, @CacheKeyIgnore Object request);

        String many(Set<String> names, Map<String, Integer> weights);
    }

    private static Method method(String name) {
        for (Method m : Api.class.getMethods()) {
            if (m.getName().equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException(name);
    }

    @Test
    void keysAreStableText() {
        String key = KeyGenerator.standard().generate(method("forecast"), new Object[] {"Paris", 3});
        assertThat(key).isEqualTo("[\"Paris\",3]"); // declared String and int: no type tags
    }

    @Test
    void longArgumentsAreDigested() {
        String key = KeyGenerator.standard().generate(method("forecast"), new Object[] {"x".repeat(100), 1});
        assertThat(key)
                .startsWith("#")
                .isEqualTo(KeyGenerator.standard().generate(method("forecast"), new Object[] {"x".repeat(100), 1}))
                .isNotEqualTo(KeyGenerator.standard().generate(method("forecast"), new Object[] {"x".repeat(100), 2}));
        assertThat(key.substring(key.indexOf('#') + 1)).hasSize(22);
    }

    @Test
    void recordsEnumsAndIgnoredParameters() {
        Query q = new Query("Oslo", Unit.CELSIUS, List.of(1, 2));
        String a = KeyGenerator.standard().generate(method("query"), new Object[] {q, new Object()});
        String b = KeyGenerator.standard().generate(method("query"), new Object[] {q, "another request"});
        assertThat(a).isEqualTo(b).isEqualTo("[{city:\"Oslo\",unit:\"CELSIUS\",days:[1,2]}]");
    }

    @Test
    void setsAndMapsDoNotDependOnIterationOrder() {
        Set<String> names = new HashSet<>(List.of("delta", "alpha", "charlie", "bravo"));
        Map<String, Integer> weights = new LinkedHashMap<>();
        weights.put("z", 1);
        weights.put("a", 2);
        String a = KeyGenerator.standard().generate(method("many"), new Object[] {names, weights});
        String b = KeyGenerator.standard().generate(method("many"), new Object[] {
            Set.of("bravo", "alpha", "delta", "charlie"), new TreeMap<>(weights)
        });
        assertThat(a).isEqualTo(b);
    }

    @Test
    void canonicalTextOfValues() {
        assertThat(ArgumentEncoder.encode(null)).isEqualTo("null");
        assertThat(ArgumentEncoder.encode("a\"b\\c\n")).isEqualTo("str:\"a\\\"b\\\\c\\u000a\"");
        assertThat(ArgumentEncoder.encode(1.5f)).isEqualTo("float:1.5");
        assertThat(ArgumentEncoder.encode(LocalDate.of(2026, 11, 24))).isEqualTo("java.time.LocalDate:\"2026-11-24\"");
        assertThat(ArgumentEncoder.encode(UUID.fromString("123e4567-e89b-12d3-a456-426614174000")))
                .isEqualTo("java.util.UUID:\"123e4567-e89b-12d3-a456-426614174000\"");
        assertThat(ArgumentEncoder.encode(new byte[] {1, 2, 3})).isEqualTo("byte[]:\"AQID\"");
        assertThat(ArgumentEncoder.encode(Optional.empty())).isEqualTo("opt:[]");
        assertThat(ArgumentEncoder.encode(new int[] {3, 1})).isEqualTo("int[]:[3,1]");
        assertThat(ArgumentEncoder.encode(List.of(1, 2L))).isEqualTo("list:[int:1,long:2]");
    }

    /** A bean: encoded through its properties, sorted by name. */
    public static final class Bean {
        public String getZeta() {
            return "z";
        }

        public int getAlpha() {
            return 1;
        }
    }

    @Test
    void beansAreEncodedByTheirSortedProperties() {
        assertThat(ArgumentEncoder.encode(new Bean()))
                .isEqualTo("io.cachekit.KeysTest$Bean:{\"alpha\":1,\"zeta\":\"z\"}");
    }

    @Test
    void objectsWithoutPropertiesAreRefused() {
        assertThatThrownBy(() -> ArgumentEncoder.encode(new Object()))
                .isInstanceOf(CacheKeyException.class)
                .hasMessageContaining("@CacheKeyIgnore");
    }
}
