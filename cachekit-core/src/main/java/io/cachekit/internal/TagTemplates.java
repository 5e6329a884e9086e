package io.cachekit.internal;

import io.cachekit.Tags;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code tags} of a {@link io.cachekit.Cached} or {@link io.cachekit.CacheEvict} method: one {@link KeyTemplate}
 * per tag, with the placeholders and escaping of key templates, so that a tag is rendered as injectively as a key
 * and {@code "user:{0}"} of {@code 42} is the tag {@code user:42} that the direct API names. Immutable and
 * thread-safe.
 */
final class TagTemplates {
    private final List<KeyTemplate> templates;
    private final Method method;

    private TagTemplates(List<KeyTemplate> templates, Method method) {
        this.templates = templates;
        this.method = method;
    }

    /**
     * The compiled templates, or null when there are none.
     *
     * @throws IllegalArgumentException for an empty template or more than {@value Tags#MAX_TAGS} of them
     * @throws io.cachekit.CacheKeyException for a template that key templates would refuse
     */
    static TagTemplates compile(String[] tags, Method method) {
        if (tags.length == 0) {
            return null;
        }
        if (tags.length > Tags.MAX_TAGS) {
            throw new IllegalArgumentException(KeyTemplate.describe(method) + " has " + tags.length
                    + " tags; an entry carries at most " + Tags.MAX_TAGS);
        }
        List<KeyTemplate> compiled = new ArrayList<>(tags.length);
        for (String tag : tags) {
            if (tag.isEmpty()) {
                throw new IllegalArgumentException(KeyTemplate.describe(method) + " has an empty tag");
            }
            compiled.add(KeyTemplate.compile(tag, method, "Tag"));
        }
        return new TagTemplates(List.copyOf(compiled), method);
    }

    /**
     * The tags of a call.
     *
     * @throws IllegalArgumentException when a rendered tag is longer than {@value Tags#MAX_LENGTH} characters (or
     *     empty), naming the method
     */
    Tags render(Object[] args) {
        String[] rendered = new String[templates.size()];
        for (int i = 0; i < rendered.length; i++) {
            rendered[i] = templates.get(i).render(args);
        }
        try {
            return Tags.of(rendered);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "A tag of " + KeyTemplate.describe(method) + " for these arguments: " + e.getMessage(), e);
        }
    }
}
