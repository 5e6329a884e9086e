/**
 * Spring Boot auto-configuration: the {@code Cache} bean, the Spring {@code CacheManager} bridge, {@code @Cached}
 * on beans, response caching, metrics and the actuator endpoint.
 *
 * <p>Null-marked (JSpecify): nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.cachekit.spring;

import org.jspecify.annotations.NullMarked;
