/**
 * Keys of cached methods: the key generator and the canonical, injective encoding of arguments.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.key;

import org.jspecify.annotations.NullMarked;
