/**
 * Internals of the Memcached backend. Not API.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.memcached.internal;

import org.jspecify.annotations.NullMarked;
