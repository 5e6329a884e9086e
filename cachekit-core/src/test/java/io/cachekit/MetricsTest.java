package io.cachekit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void countersArePublishedPerNamespaceAndBackend() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Cache cache = Cachekit.create(CachekitConfig.builder()
                .namespace("metrics")
                .meterRegistry(registry)
                .build());
        cache.set("k", "v");
        cache.get("k", String.class);
        cache.get("k", String.class);
        cache.get("absent", String.class);
        cache.getOrLoad("loaded", String.class, () -> "v");

        assertThat(registry.get("cachekit.gets")
                        .tags("namespace", "metrics", "backend", "memory", "result", "hit")
                        .functionCounter()
                        .count())
                .isEqualTo(2);
        assertThat(registry.get("cachekit.gets")
                        .tags("namespace", "metrics", "result", "miss")
                        .functionCounter()
                        .count())
                .isEqualTo(2);
        assertThat(registry.get("cachekit.puts")
                        .tags("namespace", "metrics")
                        .functionCounter()
                        .count())
                .isEqualTo(2);
        assertThat(registry.get("cachekit.loads")
                        .tags("namespace", "metrics", "result", "success")
                        .functionCounter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void remoteBackendsAreTimedPerOperation() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Cache cache = Cachekit.create(CachekitConfig.builder()
                .namespace("timed")
                .backend("memory://?storeByValue=true")
                .meterRegistry(registry)
                .build());
        cache.set("k", "v");
        // The in-memory backend is not timed, so only the counters exist for it.
        assertThat(registry.find("cachekit.operation").timers()).isEmpty();
        assertThat(registry.get("cachekit.puts")
                        .tags("namespace", "timed")
                        .functionCounter()
                        .count())
                .isEqualTo(1);
    }
}
