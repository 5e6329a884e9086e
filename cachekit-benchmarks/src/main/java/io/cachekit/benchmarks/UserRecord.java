package io.cachekit.benchmarks;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The value the remote rows cache: a user profile of about 1 KB of JSON, the kind of record a web API caches
 * (nested object, lists, a map, numbers, booleans and text).
 */
public record UserRecord(
        long id,
        String username,
        String displayName,
        String email,
        boolean active,
        int loginCount,
        double rating,
        String createdAt,
        String lastSeenAt,
        Address address,
        List<String> roles,
        List<String> tags,
        Map<String, String> preferences,
        List<Order> recentOrders,
        String bio) {

    /** A postal address. */
    public record Address(String street, String city, String postalCode, String country) {}

    /** A line of the user's order history. */
    public record Order(String id, String placedAt, int items, double total, String currency) {}

    /** The record every remote row reads and writes. */
    public static UserRecord sample() {
        Map<String, String> preferences = new TreeMap<>();
        preferences.put("currency", "EUR");
        preferences.put("language", "en-GB");
        preferences.put("newsletter", "weekly");
        preferences.put("theme", "dark");
        preferences.put("timezone", "Europe/Amsterdam");
        return new UserRecord(
                4_711_002L,
                "ada.lovelace",
                "Ada Lovelace",
                "ada.lovelace@example.com",
                true,
                1_287,
                4.83,
                "2021-03-14T09:26:53Z",
                "2026-11-28T17:45:02Z",
                new Address("12 Analytical Engine Lane", "London", "EC1A 1BB", "GB"),
                List.of("customer", "beta-tester", "reviewer"),
                List.of("mathematics", "engines", "poetry", "early-adopter", "newsletter"),
                preferences,
                List.of(
                        new Order("ord-2026-118823", "2026-11-02T10:11:12Z", 3, 129.90, "EUR"),
                        new Order("ord-2026-120417", "2026-11-17T18:03:44Z", 1, 24.50, "EUR"),
                        new Order("ord-2026-121966", "2026-11-26T08:59:01Z", 7, 312.75, "EUR")),
                "Writes notes on the analytical engine and its programs; interested in how machines might one"
                        + " day compose music. Reviews hardware and books, usually within a week of delivery.");
    }
}
