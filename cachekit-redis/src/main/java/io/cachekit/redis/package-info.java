/**
 * The Redis backend ({@code redis://}, {@code rediss://}, {@code redis-cluster://}) on Lettuce.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.redis;

import org.jspecify.annotations.NullMarked;
