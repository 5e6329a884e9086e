package io.cachekit.key;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** Point 3 of issue 8: the canonical argument encoding is injective, and blind to iteration order and JVM. */
class ArgumentEncoderPropertiesTest {

    public record A(int value) {}

    public record B(int value) {}

    enum Color {
        RED,
        GREEN
    }

    interface Target {
        String call(Object a, Object b, Object c);

        String typed(CharSequence text, Number number, Iterable<?> items);
    }

    private static final Method CALL = method("call");
    private static final Method TYPED = method("typed");

    private static Method method(String name) {
        for (Method m : Target.class.getMethods()) {
            if (m.getName().equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException(name);
    }

    private static String key(Method method, List<Object> args) {
        return KeyGenerator.standard().generate(method, args.toArray());
    }

    // ---------------------------------------------------------------- generators

    /** Scalars whose equal texts would collide without a type: 1 and 1L, 'x' and "x", lone surrogates... */
    @Provide
    Arbitrary<Object> scalar() {
        Arbitrary<String> strings = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('\u0000', '\uFFFF').ofMaxLength(80),
                Arbitraries.of("1", "x", "?", "\uD800", "\uDC00", "a:b", "null", "", "[1]", "str:\"x\""),
                Arbitraries.strings()
                        .withChars('x', '?', '\uD800', '\uDBFF', '\uDC00')
                        .ofMinLength(60)
                        .ofMaxLength(70));
        return Arbitraries.oneOf(
                Arbitraries.integers().between(-3, 3).map(i -> (Object) i),
                Arbitraries.longs().between(-3, 3).map(l -> (Object) l),
                Arbitraries.shorts().between((short) -3, (short) 3).map(s -> (Object) s),
                Arbitraries.bytes().between((byte) -3, (byte) 3).map(b -> (Object) b),
                Arbitraries.of(1.0, -0.0, 0.0, Double.NaN, 1.5).map(d -> (Object) d),
                Arbitraries.of(1.0f, -0.0f, 1.5f).map(f -> (Object) f),
                Arbitraries.of(BigInteger.ONE, BigInteger.TWO).map(b -> (Object) b),
                Arbitraries.of(new BigDecimal("1"), new BigDecimal("1.0"), new BigDecimal("1.00"))
                        .map(b -> (Object) b),
                Arbitraries.chars().with('x', '1', '?', '\uD800').map(c -> (Object) c),
                Arbitraries.of(true, false).map(b -> (Object) b),
                strings.map(s -> (Object) s),
                Arbitraries.of(Color.class).map(c -> (Object) c),
                Arbitraries.of(LocalDate.of(2026, 1, 1), LocalDate.of(2026, 1, 2))
                        .map(d -> (Object) d),
                Arbitraries.integers().between(0, 2).map(A::new),
                Arbitraries.integers().between(0, 2).map(B::new),
                Arbitraries.just(null));
    }

    /** Scalars, and containers of scalars: lists, sets, maps, optionals and arrays. */
    @Provide
    Arbitrary<Object> value() {
        Arbitrary<Object> scalar = scalar();
        Arbitrary<Object> nonNull = scalar.filter(Objects::nonNull);
        return Arbitraries.oneOf(
                scalar,
                scalar,
                scalar.list().ofMaxSize(3).map(l -> (Object) l),
                nonNull.set().ofMaxSize(3).map(s -> (Object) s),
                Arbitraries.maps(nonNull, scalar).ofMaxSize(3).map(m -> (Object) m),
                nonNull.optional().map(o -> (Object) o),
                Arbitraries.integers().between(0, 2).list().ofMaxSize(2).map(l ->
                        (Object) l.stream().mapToInt(Integer::intValue).toArray()),
                Arbitraries.longs().between(0, 2).list().ofMaxSize(2).map(l ->
                        (Object) l.stream().mapToLong(Long::longValue).toArray()),
                nonNull.list().ofMaxSize(2).map(l -> (Object) List.of(l)));
    }

    @Provide
    Arbitrary<List<Object>> arguments() {
        return value().list().ofSize(3);
    }

    // ---------------------------------------------------------------- properties

    @Property(tries = 3000)
    void unequalArgumentListsGiveUnequalKeys(@ForAll("arguments") List<Object> a, @ForAll("arguments") List<Object> b) {
        Assume.that(!deepEquals(a, b));
        assertThat(key(CALL, a)).isNotEqualTo(key(CALL, b));
    }

    @Property(tries = 2000)
    void unequalValuesNeverMeetUnderInterfaceParameters(
            @ForAll("scalar") Object a, @ForAll("scalar") Object b, @ForAll("value") Object c) {
        Assume.that(!deepEquals(a, b));
        List<Object> first = java.util.Arrays.asList("t", a instanceof Number n ? n : 1, java.util.Arrays.asList(a, c));
        List<Object> second =
                java.util.Arrays.asList("t", b instanceof Number n ? n : 1, java.util.Arrays.asList(b, c));
        Assume.that(!deepEquals(first, second));
        assertThat(key(TYPED, first)).isNotEqualTo(key(TYPED, second));
    }

    @Property(tries = 1000)
    void equalSetsAndMapsInAnyOrderGiveEqualKeys(
            @ForAll("scalar") Object a, @ForAll("scalar") Object b, @ForAll("scalar") Object c) {
        Assume.that(a != null && b != null && c != null);
        List<Object> items = new ArrayList<>(List.of(a, b, c));
        List<Object> reversed = new ArrayList<>(items);
        Collections.reverse(reversed);
        Set<Object> hashSet = new HashSet<>(items);
        Set<Object> linkedReversed = new LinkedHashSet<>(reversed);
        Map<Object, Object> hashMap = new HashMap<>();
        Map<Object, Object> linkedMap = new LinkedHashMap<>();
        for (Object item : items) {
            hashMap.put(item, List.of(item));
        }
        for (Object item : reversed) {
            linkedMap.put(item, List.of(item));
        }
        Map<String, Set<Object>> nestedOne = new TreeMap<>(Map.of("k", hashSet, "j", Set.of()));
        Map<String, Set<Object>> nestedTwo = new HashMap<>(Map.of("j", new TreeSet<>(), "k", linkedReversed));
        assertThat(key(CALL, List.of(hashSet, hashMap, nestedOne)))
                .isEqualTo(key(CALL, List.of(linkedReversed, linkedMap, nestedTwo)));
    }

    /** A bean holding a set: its properties are sorted, and so is the set inside it. */
    public static final class Basket {
        private final Set<String> items;

        Basket(Set<String> items) {
            this.items = items;
        }

        public Set<String> getItems() {
            return items;
        }
    }

    @Property(tries = 500)
    void setsNestedInBeansAreSorted(@ForAll("words") List<String> words) {
        List<String> reversed = new ArrayList<>(words);
        Collections.reverse(reversed);
        assertThat(ArgumentEncoder.encode(new Basket(new LinkedHashSet<>(words))))
                .isEqualTo(ArgumentEncoder.encode(new Basket(new LinkedHashSet<>(reversed))));
    }

    @Provide
    Arbitrary<List<String>> words() {
        return Arbitraries.strings()
                .alpha()
                .ofMaxLength(4)
                .list()
                .uniqueElements()
                .ofMaxSize(6);
    }

    @Example
    void theCasesOfTheIssueNeverMeet() {
        List<Tuple.Tuple2<Object, Object>> pairs = List.of(
                Tuple.of(new A(1), new B(1)),
                Tuple.of(1, 1L),
                Tuple.of('x', "x"),
                Tuple.of(List.of(1), new int[] {1}),
                Tuple.of(List.of(1), Optional.of(1)),
                Tuple.of(new int[] {1}, Optional.of(1)),
                Tuple.of("x".repeat(70) + "\uD800", "x".repeat(70) + "?"),
                Tuple.of("\uD800", "?"));
        for (Tuple.Tuple2<Object, Object> pair : pairs) {
            assertThat(key(CALL, java.util.Arrays.asList(pair.get1(), 0, 0)))
                    .as("%s vs %s", pair.get1(), pair.get2())
                    .isNotEqualTo(key(CALL, java.util.Arrays.asList(pair.get2(), 0, 0)));
        }
    }

    @Example
    void anotherJvmWithAnotherCharsetLocaleAndTimeZonePrintsTheSameKeys() throws Exception {
        List<String> here = new ArrayList<>();
        for (String key : KeyCorpus.keys()) {
            here.add(KeyCorpus.printable(key));
        }
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process process = new ProcessBuilder(
                        java,
                        "-Dfile.encoding=ISO-8859-1",
                        "-Dsun.jnu.encoding=ISO-8859-1",
                        "-Dstdout.encoding=ISO-8859-1",
                        "-Duser.language=tr",
                        "-Duser.country=TR",
                        "-Duser.timezone=Pacific/Kiritimati",
                        "-cp",
                        System.getProperty("java.class.path"),
                        KeyCorpus.class.getName())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output.lines().toList()).hasSize(here.size()).isEqualTo(here);
    }

    /** Equality as a method would see its arguments: arrays by content, everything else by equals. */
    static boolean deepEquals(Object a, Object b) {
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!deepEquals(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a != null && b != null && a.getClass().isArray()) {
            return a.getClass() == b.getClass() && java.util.Objects.deepEquals(a, b);
        }
        return Objects.equals(a, b);
    }
}
