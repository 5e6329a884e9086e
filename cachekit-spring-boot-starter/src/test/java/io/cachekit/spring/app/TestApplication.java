package io.cachekit.spring.app;

import io.cachekit.spring.CachekitConfigCustomizer;
import io.cachekit.tck.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;

/** The application the starter's tests run: Spring caching enabled, a clock the tests move. */
@SpringBootApplication
@EnableCaching
public class TestApplication {

    @Bean
    ManualClock testClock() {
        return new ManualClock(Instant.ofEpochMilli(1_700_000_000_000L));
    }

    @Bean
    CachekitConfigCustomizer testClockCustomizer(ManualClock clock) {
        return builder -> builder.clock(clock);
    }

    /** A registry that records, so tests can read Cachekit's meters. */
    @Bean
    SimpleMeterRegistry testMeterRegistry() {
        return new SimpleMeterRegistry();
    }
}
