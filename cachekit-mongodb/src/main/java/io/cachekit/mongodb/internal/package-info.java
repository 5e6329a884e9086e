/**
 * Internals of the MongoDB backend. Not API.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.mongodb.internal;

import org.jspecify.annotations.NullMarked;
