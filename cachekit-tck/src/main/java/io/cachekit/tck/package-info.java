/**
 * The contract suites every backend's tests extend: the store contract and the failure contract.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.tck;

import org.jspecify.annotations.NullMarked;
