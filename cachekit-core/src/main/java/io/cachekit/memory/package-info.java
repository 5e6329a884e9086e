/**
 * The in-memory backend ({@code memory://}), on Caffeine.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.memory;

import org.jspecify.annotations.NullMarked;
