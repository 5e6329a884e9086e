package io.cachekit.spi;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

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

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException(
                "Invalid duration '" + text + "': use a number with ms, s, m, h or d (e.g. 30s), or ISO-8601 (PT30S)");
    }
}
