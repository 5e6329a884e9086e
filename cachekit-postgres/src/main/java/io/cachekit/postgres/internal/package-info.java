/**
 * Internals of the PostgreSQL backend. Not API.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.postgres.internal;

import org.jspecify.annotations.NullMarked;
