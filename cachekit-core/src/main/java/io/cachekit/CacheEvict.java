package io.cachekit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Removes cache entries after the annotated method returns normally (not when it throws).
 *
 * <p>Exactly one of {@link #key()}, {@link #method()} and {@link #allEntries()} says what is removed;
 * proxies reject any other combination when they are created.
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
}
