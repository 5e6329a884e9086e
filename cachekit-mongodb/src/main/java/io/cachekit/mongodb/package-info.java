/**
 * The MongoDB backend ({@code mongodb://}, {@code mongodb+srv://}) on the official driver.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.mongodb;

import org.jspecify.annotations.NullMarked;
