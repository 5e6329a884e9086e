/**
 * Caching of whole HTTP responses: the framework-neutral policy and the Jakarta Servlet filter.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.http;

import org.jspecify.annotations.NullMarked;
