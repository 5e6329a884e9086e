/**
 * The example API.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.example;

import org.jspecify.annotations.NullMarked;
