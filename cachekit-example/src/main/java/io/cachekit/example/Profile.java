package io.cachekit.example;

/**
 * A user profile.
 *
 * @param id the user's id
 * @param name the display name
 * @param city the home city
 */
public record Profile(long id, String name, String city) {}
