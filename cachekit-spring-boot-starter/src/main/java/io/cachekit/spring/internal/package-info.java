/**
 * Internals of the Spring Boot starter. Not API.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.spring.internal;

import org.jspecify.annotations.NullMarked;
