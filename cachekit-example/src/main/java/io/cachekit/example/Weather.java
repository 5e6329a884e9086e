package io.cachekit.example;

/**
 * A weather report.
 *
 * @param city the city asked for
 * @param temperatureC the temperature in degrees Celsius
 * @param conditions such as {@code sunny}
 * @param lookup which call of the slow service produced this report (1 for the first): a cached report keeps
 *     its number
 */
public record Weather(String city, int temperatureC, String conditions, int lookup) {}
