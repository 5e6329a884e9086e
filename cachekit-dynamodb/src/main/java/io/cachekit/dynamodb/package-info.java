/**
 * The DynamoDB backend ({@code dynamodb://}) on the AWS SDK v2.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.dynamodb;

import org.jspecify.annotations.NullMarked;
