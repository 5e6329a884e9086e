/**
 * The implementation behind the API: caches, value stores, single-flight loads, method caching, meters and the
 * backend guards. Not API: it may change in any release.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.internal;

import org.jspecify.annotations.NullMarked;
