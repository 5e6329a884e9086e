/**
 * The Memcached backend ({@code memcached://}) on xmemcached.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.memcached;

import org.jspecify.annotations.NullMarked;
