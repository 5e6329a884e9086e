/**
 * Cachekit's API: {@link io.cachekit.Cache} and {@link io.cachekit.AsyncCache}, created by {@link
 * io.cachekit.Cachekit} from a backend URI or a {@link io.cachekit.CachekitConfig}; the method caching annotations
 * ({@link io.cachekit.Cached}, {@link io.cachekit.CacheEvict}, {@link io.cachekit.CacheKeyIgnore}); and the
 * exceptions.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit;

import org.jspecify.annotations.NullMarked;
