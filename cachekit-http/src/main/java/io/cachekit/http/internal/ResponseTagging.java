package io.cachekit.http.internal;

import io.cachekit.Cache;
import io.cachekit.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one place where response tags (surrogate keys) meet the store, and the rules for tags themselves.
 *
 * <p>Tags are collected from {@code @CachedResponse(tags = ...)} (through {@code
 * ResponseCacheFilter.TAGS_ATTRIBUTE}) and from the policy's tag header, checked here, kept with each stored
 * response, and written with it as the core's {@link Tags}, so that {@link Cache#invalidateTags} makes the
 * response a miss (in every process sharing the store). A tagged response costs one more bulk read per hit (its
 * tags' versions); an untagged one nothing more.
 *
 * <p>Tags follow the core's limits: at most {@value Tags#MAX_TAGS} distinct tags of 1 to {@value Tags#MAX_LENGTH}
 * characters; extra and invalid ones are dropped rather than failing the response. Stateless and thread-safe;
 * not API.
 */
public final class ResponseTagging {
    private ResponseTagging() {}

    /** Writes a stored response (as the store keeps it) under {@code key}, tagged with {@code tags} (normalized). */
    public static void write(Cache cache, String key, Object entry, Duration ttl, List<String> tags) {
        cache.set(key, entry, ttl, tags.isEmpty() ? Tags.none() : Tags.of(tags));
    }

    /**
     * Makes every response tagged with one of {@code tags} a miss, and every other entry of the cache's key prefix
     * carrying one of them (tags are shared with method caching).
     *
     * @throws IllegalArgumentException for an empty tag or one over {@value Tags#MAX_LENGTH} characters
     */
    public static void invalidate(Cache cache, Collection<String> tags) {
        cache.invalidateTags(tags);
    }

    /**
     * The tags in tag header values: separated by commas or white space, as {@code Surrogate-Key} (Fastly)
     * and {@code Cache-Tag} (Cloudflare) write them.
     */
    public static List<String> parseHeader(List<String> values) {
        List<String> tags = new ArrayList<>();
        for (String value : values) {
            for (String tag : value.split("[,\\s]+")) {
                if (!tag.isEmpty()) {
                    tags.add(tag);
                }
            }
        }
        return tags;
    }

    /**
     * {@code tags} without duplicates, empty or over-long tags, and beyond {@value Tags#MAX_TAGS}, in first-seen
     * order.
     */
    public static List<String> normalize(Collection<String> tags) {
        Set<String> kept = new LinkedHashSet<>();
        for (String tag : tags) {
            if (tag != null && !tag.isEmpty() && tag.length() <= Tags.MAX_LENGTH && kept.size() < Tags.MAX_TAGS) {
                kept.add(tag);
            }
        }
        return List.copyOf(kept);
    }
}
