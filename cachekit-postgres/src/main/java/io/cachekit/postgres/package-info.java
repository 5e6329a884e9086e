/**
 * The PostgreSQL backend ({@code postgresql://}) on pgjdbc and HikariCP.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.postgres;

import org.jspecify.annotations.NullMarked;
