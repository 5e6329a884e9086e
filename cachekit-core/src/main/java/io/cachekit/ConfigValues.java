package io.cachekit;

import java.util.Locale;

/** The parsing of {@link CachekitConfig}'s string properties that are not durations; errors name the property. */
final class ConfigValues {
    private ConfigValues() {}

    static boolean parseBoolean(String name, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false, got '" + value + "'");
        };
    }

    static boolean parseConnect(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "eager" -> true;
            case "lazy" -> false;
            default -> throw new IllegalArgumentException("connect must be lazy or eager, got '" + value + "'");
        };
    }

    static int parseInt(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + value + "'");
        }
    }

    static ErrorPolicy parsePolicy(String name, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "throw" -> ErrorPolicy.THROW;
            case "fail-open" -> ErrorPolicy.FAIL_OPEN;
            default -> throw new IllegalArgumentException(name + " must be throw or fail-open, got '" + value + "'");
        };
    }
}
