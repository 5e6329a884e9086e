/**
 * Internals of the DynamoDB backend. Not API.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.dynamodb.internal;

import org.jspecify.annotations.NullMarked;
