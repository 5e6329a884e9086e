package io.cachekit.spi;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;

/**
 * Parses the duration strings used in URIs, properties and annotations: a number with a unit ({@code
 * ms}, {@code s}, {@code m}, {@code h}, {@code d}), or ISO-8601 such as {@code PT30S}.
 */
public final class Durations {
    private Durations() {}

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException naming the accepted forms when {@code text} is none of them
     */
    public static Duration parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("p") || s.startsWith("-p")) {
            try {
                return Duration.parse(text.trim());
            } catch (DateTimeParseException e) {
                throw invalid(text);
            }
        }
        int unitStart = 0;
        while (unitStart < s.length()
                && (Character.isDigit(s.charAt(unitStart)) || (unitStart == 0 && s.charAt(0) == '-'))) {
            unitStart++;
        }
        if (unitStart == 0 || unitStart == s.length()) {
            throw invalid(text);
        }
        long amount;
        try {
            amount = Long.parseLong(s.substring(0, unitStart));
        } catch (NumberFormatException e) {
            throw invalid(text);
        }
        switch (s.substring(unitStart).trim()) {
            case "ms":
                return Duration.ofMillis(amount);
            case "s":
                return Duration.ofSeconds(amount);
            case "m":
                return Duration.ofMinutes(amount);
            case "h":
                return Duration.ofHours(amount);
            case "d":
                return Duration.ofDays(amount);
            default:
                throw invalid(text);
        }
    }

    /**
     * Returns {@code value} when it lies between zero and {@code longest}, both included; options call it so
     * that every range check says the same thing.
     *
     * @param name the option's name, used in the error message
     * @throws NullPointerException naming the option when {@code value} is null
     * @throws IllegalArgumentException naming the option, the range and the value when it is outside the range
     */
    public static Duration requireBetweenZeroAnd(String name, Duration value, Duration longest) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.compareTo(longest) > 0) {
            throw new IllegalArgumentException(
                    name + " must be between 0 and " + longest.toSeconds() + " seconds, got " + value);
        }
        return value;
    }

    /**
     * Returns {@code value} when it is longer than zero; options call it so that every such check says the same
     * thing.
     *
     * @param name the option's name, used in the error messages
     * @throws NullPointerException naming the option when {@code value} is null
     * @throws IllegalArgumentException naming the option and the value when it is zero or negative
     */
    public static Duration requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
        return value;
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException(
                "Invalid duration '" + text + "': use a number with ms, s, m, h or d (e.g. 30s), or ISO-8601 (PT30S)");
    }
}
