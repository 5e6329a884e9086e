/**
 * Internals of the Firestore backend. Not API.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.firestore.internal;

import org.jspecify.annotations.NullMarked;
