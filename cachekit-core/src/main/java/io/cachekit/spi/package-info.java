/**
 * The backend SPI: what a store of bytes implements ({@link io.cachekit.spi.CacheBackend}), how it is found
 * ({@link io.cachekit.spi.CacheBackendProvider}), and the pieces every backend uses.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.spi;

import org.jspecify.annotations.NullMarked;
