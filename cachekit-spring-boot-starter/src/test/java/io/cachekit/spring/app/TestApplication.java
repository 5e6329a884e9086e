package io.cachekit.spring.app;

import io.cachekit.spring.CachekitConfigCustomizer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;

/** The application the starter's tests run: Spring caching enabled, a clock the tests move. */
@SpringBootApplication
@EnableCaching
public class TestApplication {

    @Bean
    MutableClock testClock() {
        return new MutableClock();
    }

    @Bean
    CachekitConfigCustomizer testClockCustomizer(MutableClock clock) {
        return builder -> builder.clock(clock);
    }

    /** A registry that records, so tests can read Cachekit's meters. */
    @Bean
    SimpleMeterRegistry testMeterRegistry() {
        return new SimpleMeterRegistry();
    }
}
