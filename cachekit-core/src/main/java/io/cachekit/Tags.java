package io.cachekit;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The tags of an entry: names such as {@code user:42} or {@code org:7} that {@link Cache#invalidateTags} names
 * to invalidate, at once and in every namespace and process, every entry written with them.
 *
 * <p>A tag is 1 to {@value #MAX_LENGTH} characters of any kind; an entry carries at most {@value #MAX_TAGS} tags.
 * Tags are case-sensitive; duplicates count once and the first order is kept. Each tag of a tagged entry costs
 * its stored size (the tag and 8 bytes) and is checked on every read of the entry: see {@code docs/tags.md}.
 *
 * <p>Immutable and thread-safe.
 */
public final class Tags {
    /** The most tags one entry may carry. */
    public static final int MAX_TAGS = 32;

    /** The longest tag, in characters ({@code char}s). */
    public static final int MAX_LENGTH = 200;

    private static final Tags NONE = new Tags(List.of());

    private final List<String> tags;

    private Tags(List<String> tags) {
        this.tags = tags;
    }

    /** No tags: an entry written with them is an ordinary, untagged entry. */
    public static Tags none() {
        return NONE;
    }

    /**
     * The given tags, duplicates counted once.
     *
     * @throws NullPointerException for a null array or tag
     * @throws IllegalArgumentException for an empty tag, a tag over {@value #MAX_LENGTH} characters, or more than
     *     {@value #MAX_TAGS} distinct tags, naming the problem
     */
    public static Tags of(String... tags) {
        Objects.requireNonNull(tags, "tags");
        return of(Arrays.asList(tags));
    }

    /** {@link #of(String...)} of a collection. */
    public static Tags of(Collection<String> tags) {
        Set<String> distinct = checkAll(tags);
        if (distinct.size() > MAX_TAGS) {
            throw new IllegalArgumentException(
                    "An entry carries at most " + MAX_TAGS + " tags; got " + distinct.size());
        }
        return distinct.isEmpty() ? NONE : new Tags(List.copyOf(distinct));
    }

    /**
     * Checks tags to invalidate (any number of them, each as {@link #of} checks it) and returns them distinct, in
     * their first order.
     *
     * @throws NullPointerException for a null collection or tag
     * @throws IllegalArgumentException for an empty or over-long tag
     */
    public static Set<String> checkAll(Collection<String> tags) {
        Objects.requireNonNull(tags, "tags");
        Set<String> distinct = new LinkedHashSet<>();
        for (String tag : tags) {
            distinct.add(check(tag));
        }
        return distinct;
    }

    /**
     * Checks one tag.
     *
     * @return {@code tag}
     * @throws NullPointerException for null
     * @throws IllegalArgumentException for an empty tag or one over {@value #MAX_LENGTH} characters
     */
    public static String check(String tag) {
        Objects.requireNonNull(tag, "tag");
        if (tag.isEmpty()) {
            throw new IllegalArgumentException("A tag must not be empty");
        }
        if (tag.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("A tag is at most " + MAX_LENGTH + " characters; got one of "
                    + tag.length() + " starting '" + tag.substring(0, 40) + "...'");
        }
        return tag;
    }

    /** The tags, distinct, in their first order. */
    public List<String> asList() {
        return tags;
    }

    /** Whether there are none. */
    public boolean isEmpty() {
        return tags.isEmpty();
    }

    /** How many there are. */
    public int size() {
        return tags.size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tags other && tags.equals(other.tags);
    }

    @Override
    public int hashCode() {
        return tags.hashCode();
    }

    @Override
    public String toString() {
        return "Tags" + tags;
    }
}
