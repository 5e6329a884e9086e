package io.cachekit.key;

import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * A fixed corpus of argument lists, built from a seeded {@link Random}, and their keys: run in this JVM and in
 * another with a different default charset, locale and time zone, the keys must be the same. {@link #main}
 * prints one key a line, base64 of its UTF-16 code units, so that no console encoding can change it.
 */
public final class KeyCorpus {
    enum Level {
        LOW,
        HIGH {
            @Override
            public String toString() {
                return "high!";
            }
        }
    }

    record Point(int x, int y) {}

    record Named(String name, Set<String> tags, Map<String, Integer> weights) {}

    /** A bean whose set and map must be sorted too. */
    public static final class Bean {
        private final Set<String> tags;
        private final Map<String, List<Integer>> scores;

        Bean(Set<String> tags, Map<String, List<Integer>> scores) {
            this.tags = tags;
            this.scores = scores;
        }

        public Set<String> getTags() {
            return tags;
        }

        public Map<String, List<Integer>> getScores() {
            return scores;
        }

        public boolean isEmpty() {
            return tags.isEmpty();
        }
    }

    /** The method whose keys are printed. */
    interface Target {
        String call(Object a, Object b, Object c);
    }

    private static final String[] WORDS = {
        "I",
        "ı",
        "i",
        "İ",
        "TITLE",
        "title",
        "é",
        "ß",
        "?",
        "\uD800",
        "\uDC00",
        "\uD83D\uDE00",
        "a:b",
        "\"q\"",
        "\\",
        "\n",
        "",
        "null",
        "x".repeat(70),
        "x".repeat(69) + "\uD800",
        "x".repeat(69) + "?"
    };

    private KeyCorpus() {}

    /** The keys of the corpus, in order. */
    public static List<String> keys() throws NoSuchMethodException {
        Method call = Target.class.getMethod("call", Object.class, Object.class, Object.class);
        Random random = new Random(20260511L);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Object[] args = {value(random, 0), value(random, 0), value(random, 0)};
            keys.add(KeyGenerator.standard().generate(call, args));
            keys.add(ArgumentEncoder.encode(args[0]));
        }
        return keys;
    }

    private static Object value(Random random, int depth) {
        int kind = random.nextInt(depth > 2 ? 16 : 24);
        return switch (kind) {
            case 0 -> null;
            case 1 -> random.nextInt(1000) - 500;
            case 2 -> (long) random.nextInt(1000) - 500;
            case 3 -> random.nextDouble() * 1e6;
            case 4 -> random.nextFloat();
            case 5 -> WORDS[random.nextInt(WORDS.length)];
            case 6 -> WORDS[random.nextInt(WORDS.length)].isEmpty() ? 'I' : (char) ('A' + random.nextInt(40));
            case 7 -> new BigDecimal(BigInteger.valueOf(random.nextInt(100000)), random.nextInt(5));
            case 8 -> LocalDate.ofEpochDay(random.nextInt(40000));
            case 9 -> ZonedDateTime.of(LocalDateTime.of(2026, 3, 29, 1, 30), ZoneId.of("Europe/Berlin"));
            case 10 -> Instant.ofEpochSecond(random.nextInt(2_000_000_000));
            case 11 -> new Date(random.nextInt(2_000_000_000) * 1000L);
            case 12 -> random.nextBoolean() ? Level.LOW : Level.HIGH;
            case 13 -> Locale.forLanguageTag("tr-TR");
            case 14 -> new UUID(random.nextLong(), random.nextLong());
            case 15 -> new Point(random.nextInt(10), random.nextInt(10));
            case 16 -> java.util.Arrays.asList(value(random, depth + 1), value(random, depth + 1));
            case 17 -> {
                Set<Object> set = new HashSet<>();
                for (int n = random.nextInt(5); n > 0; n--) {
                    set.add(WORDS[random.nextInt(WORDS.length)]);
                }
                yield set;
            }
            case 18 -> {
                Map<Object, Object> map = new HashMap<>();
                for (int n = random.nextInt(5); n > 0; n--) {
                    map.put(WORDS[random.nextInt(WORDS.length)], value(random, depth + 1));
                }
                yield map;
            }
            case 19 -> Optional.ofNullable(value(random, depth + 1));
            case 20 -> new int[] {random.nextInt(), random.nextInt()};
            case 21 ->
                new Named(
                        WORDS[random.nextInt(WORDS.length)],
                        Set.of("b", "a", "I", "ı"),
                        Map.of("I", 1, "i", 2, "ı", 3));
            case 22 -> new Bean(Set.of("z", "y", "İ"), Map.of("k", List.of(1, 2), "K", List.of()));
            default -> "b64:" + Base64.getEncoder().encodeToString(new byte[] {(byte) random.nextInt()});
        };
    }

    /** Base64 of the key's UTF-16 code units, two bytes each: lossless for any string. */
    public static String printable(String key) {
        byte[] bytes = new byte[key.length() * 2];
        for (int i = 0; i < key.length(); i++) {
            bytes[2 * i] = (byte) (key.charAt(i) >> 8);
            bytes[2 * i + 1] = (byte) key.charAt(i);
        }
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Prints the corpus's keys, one a line, as base64 of UTF-16BE. */
    public static void main(String[] args) throws Exception {
        StringBuilder out = new StringBuilder();
        for (String key : keys()) {
            out.append(printable(key)).append('\n');
        }
        System.out.write(out.toString().getBytes(StandardCharsets.US_ASCII));
        System.out.flush();
    }
}
