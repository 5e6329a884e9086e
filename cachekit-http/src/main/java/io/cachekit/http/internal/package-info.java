/**
 * Internals of HTTP response caching. Not API.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.http.internal;

import org.jspecify.annotations.NullMarked;
