/**
 * The Firestore backend ({@code firestore://}) on google-cloud-firestore.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.firestore;

import org.jspecify.annotations.NullMarked;
