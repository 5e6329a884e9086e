package io.cachekit.spring;

import io.cachekit.CachekitConfig;

/**
 * Adjusts the {@link CachekitConfig} of the auto-configured {@link io.cachekit.Cache} after the {@code
 * cachekit.*} properties are applied: a codec, a key generator, an executor, a clock. Beans of this type are
 * applied in their {@link org.springframework.core.Ordered order}, once, while the context starts.
 */
@FunctionalInterface
public interface CachekitConfigCustomizer {

    /** Changes {@code builder}; its setters throw at once for invalid values, which fails the startup. */
    void customize(CachekitConfig.Builder builder);
}
