/**
 * Codecs turn values into stored bytes and back: JSON by default, JDK serialization only on opt-in.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.codec;

import org.jspecify.annotations.NullMarked;
