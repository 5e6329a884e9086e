/**
 * Internals of the Redis backend. Not API.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.redis.internal;

import org.jspecify.annotations.NullMarked;
