package io.cachekit.spring.internal;

import io.cachekit.key.ArgumentEncoder;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.util.Objects;
import org.springframework.cache.interceptor.SimpleKey;

/**
 * Turns Spring cache keys into Cachekit keys: the canonical text of {@link ArgumentEncoder}, so equal keys
 * give equal strings in every JVM and never depend on {@code hashCode()} or {@code toString()}. A {@link
 * SimpleKey} (several method arguments) becomes the text of its argument array. Keys longer than 200
 * characters are replaced by {@code #} and their digest. Stateless; not API.
 */
public final class SpringCacheKeys {
    private static final int MAX_PLAIN_LENGTH = 200;
    private static final Field SIMPLE_KEY_PARAMS = simpleKeyParams();

    private SpringCacheKeys() {}

    /**
     * The Cachekit key of a Spring key.
     *
     * @throws io.cachekit.CacheKeyException for a key with no stable encoding (an object without properties)
     * @throws IllegalStateException if a {@link SimpleKey}'s arguments cannot be read
     */
    public static String key(Object key) {
        Objects.requireNonNull(key, "key");
        Object k = key instanceof SimpleKey simple ? params(simple) : key;
        String text = ArgumentEncoder.encode(k);
        return text.length() > MAX_PLAIN_LENGTH ? "#" + ArgumentEncoder.digest(text) : text;
    }

    private static Object[] params(SimpleKey key) {
        if (SIMPLE_KEY_PARAMS == null) {
            throw new IllegalStateException("Cannot read the arguments of a Spring SimpleKey on this JVM;"
                    + " give the @Cacheable a key expression, such as key = \"#id\"");
        }
        try {
            return (Object[]) SIMPLE_KEY_PARAMS.get(key);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot read the arguments of a Spring SimpleKey", e);
        }
    }

    // SimpleKey has no accessor for its arguments; its toString() depends on theirs, so it is no key.
    private static Field simpleKeyParams() {
        try {
            Field f = SimpleKey.class.getDeclaredField("params");
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException | InaccessibleObjectException | SecurityException e) {
            return null;
        }
    }
}
