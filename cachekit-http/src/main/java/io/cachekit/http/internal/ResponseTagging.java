package io.cachekit.http.internal;

import io.cachekit.Cache;
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
 * ResponseCacheFilter.TAGS_ATTRIBUTE}) and from the policy's tag header, checked here, and kept with each
 * stored response. Writing them to the store and purging by tag need tag invalidation in cachekit-core
 * ({@code Cache.set(key, value, ttl, Tags)} and {@code Cache.invalidateTags}), which this class is the seam
 * for: until then {@link #write} stores entries untagged and {@link #supportsInvalidation()} is false.
 *
 * <p>The limits mirror those of cachekit-core's {@code Tags}: at most {@value #MAX_TAGS} distinct tags of 1
 * to {@value #MAX_LENGTH} characters; extra and invalid ones are dropped. Stateless and thread-safe; not API.
 */
public final class ResponseTagging {
    /** The most tags one response carries. */
    public static final int MAX_TAGS = 32;

    /** The longest tag, in characters. */
    public static final int MAX_LENGTH = 200;

    /** Writes a stored response under {@code key}, tagged with {@code tags} once the store supports tags. */
    public void write(Cache cache, String key, byte[] entry, Duration ttl, List<String> tags) {
        cache.set(key, entry, ttl);
    }

    /** Whether {@link #invalidate} can purge by tag. */
    public boolean supportsInvalidation() {
        return false;
    }

    /**
     * Makes every response tagged with one of {@code tags} a miss.
     *
     * @throws UnsupportedOperationException until cachekit-core supports tags
     */
    public void invalidate(Cache cache, Collection<String> tags) {
        throw new UnsupportedOperationException("Purging responses by tag needs tag invalidation in cachekit-core");
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
     * {@code tags} without duplicates, empty or over-long tags, and beyond {@value #MAX_TAGS}, in first-seen
     * order.
     */
    public static List<String> normalize(Collection<String> tags) {
        Set<String> kept = new LinkedHashSet<>();
        for (String tag : tags) {
            if (tag != null && !tag.isEmpty() && tag.length() <= MAX_LENGTH && kept.size() < MAX_TAGS) {
                kept.add(tag);
            }
        }
        return List.copyOf(kept);
    }
}
