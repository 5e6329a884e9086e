package io.cachekit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Removes cache entries after the annotated method returns normally (not when it throws).
 *
 * <p>At most one of {@link #key()}, {@link #method()} and {@link #allEntries()} says which entries of a namespace
 * are removed; {@link #tags()} invalidates tagged entries wherever they are, alone or besides one of those.
 * Proxies reject an annotation with none of the four, or with two of the first three, when they are created.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface CacheEvict {

    /** Namespace to evict from; empty for the namespace of the cache the proxy was made from. */
    String namespace() default "";

    /** Key template of the entry to remove, with the placeholders of {@link Cached#key()}. */
    String key() default "";

    /**
     * Name of a {@link Cached} method of the same interface, with the same parameter types, whose entry for
     * these arguments is removed.
     */
    String method() default "";

    /** Remove every entry of the namespace. */
    boolean allEntries() default false;

    /**
     * Tags to invalidate (see {@link Cache#invalidateTags}), as templates with the placeholders of {@link
     * Cached#tags()}: {@code "user:{0}"} invalidates every entry tagged {@code user:42} for the argument {@code 42},
     * in every namespace and process. A failure to invalidate follows the method error policy (by default it is
     * logged and counted, and the method's result is returned).
     */
    String[] tags() default {};
}
