package io.cachekit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {

    private static double count(MeterRegistry registry, String name, String... tags) {
        return registry.get(name).tags(tags).functionCounter().count();
    }

    @Test
    void theStandardCacheMetersArePublishedPerNamespace() {
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

        // Named and tagged as Micrometer's cache binders and Spring Boot's cache metrics do.
        String[] tags = {"cache", "metrics", "cache.manager", "cachekit", "name", "metrics"};
        assertThat(count(registry, "cache.gets", "cache", "metrics", "result", "hit"))
                .isEqualTo(2);
        assertThat(registry.get("cache.gets")
                        .tags(tags)
                        .tag("result", "miss")
                        .functionCounter()
                        .count())
                .isEqualTo(2);
        assertThat(count(registry, "cache.puts", tags)).isEqualTo(2);
        assertThat(count(registry, "cache.evictions", tags)).isZero();
        assertThat(registry.get("cache.size").tags(tags).gauge().value()).isEqualTo(2);
        cache.delete("k");
        assertThat(registry.get("cache.size").tags(tags).gauge().value()).isEqualTo(1);
        cache.clear();
        assertThat(registry.get("cache.size").tags(tags).gauge().value()).isZero();

        // Cachekit's own beside them.
        assertThat(count(registry, "cachekit.loads", "namespace", "metrics", "backend", "memory", "result", "success"))
                .isEqualTo(1);
        assertThat(count(registry, "cachekit.errors", "namespace", "metrics")).isZero();
        assertThat(count(registry, "cachekit.corrupt", "namespace", "metrics")).isZero();
        assertThat(registry.find("cachekit.gets").meters())
                .as("no second copy of the standard meters")
                .isEmpty();
    }

    @Test
    void remoteBackendsAreTimedPerOperationAndReportNoSizeOrEvictionsTheyDoNotKnow() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Cache cache = Cachekit.create(CachekitConfig.builder()
                .namespace("timed")
                .backend("memory://?storeByValue=true")
                .meterRegistry(registry)
                .build());
        cache.set("k", "v");
        // The in-memory backend is not timed, so only the counters exist for it.
        assertThat(registry.find("cachekit.operation").timers()).isEmpty();
        assertThat(count(registry, "cache.puts", "cache", "timed")).isEqualTo(1);
    }

    @Test
    void twoCachesOfOneNamespaceOnOneRegistryAreBothCountedAndKeepTheirCountsWhenClosed() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CachekitConfig config = CachekitConfig.builder()
                .namespace("shared")
                .meterRegistry(registry)
                .build();
        Cache first = Cachekit.create(config);
        Cache second = Cachekit.create(config); // another root: its own backend and counters
        first.set("a", 1);
        second.set("a", 1);
        second.set("b", 2);
        first.get("a", Integer.class);
        second.get("a", Integer.class);
        second.get("b", Integer.class);
        second.get("absent", Integer.class);

        assertThat(count(registry, "cache.puts", "cache", "shared")).isEqualTo(3);
        assertThat(count(registry, "cache.gets", "cache", "shared", "result", "hit"))
                .isEqualTo(3);
        assertThat(count(registry, "cache.gets", "cache", "shared", "result", "miss"))
                .isEqualTo(1);
        assertThat(registry.get("cache.size").tag("cache", "shared").gauge().value())
                .isEqualTo(3);

        second.close();
        assertThat(count(registry, "cache.puts", "cache", "shared"))
                .as("a counter never goes down")
                .isEqualTo(3);
        assertThat(registry.get("cache.size").tag("cache", "shared").gauge().value())
                .as("a closed cache holds nothing")
                .isEqualTo(1);
        first.set("c", 3);
        assertThat(count(registry, "cache.puts", "cache", "shared")).isEqualTo(4);
        first.close();
    }

    /**
     * Spring Boot adds the application's registry to Micrometer's global one, which forwards its meters there: a
     * cache on the global registry and one on the application's, of one namespace, are both counted.
     */
    @Test
    void aCacheOnTheGlobalRegistryAndOneOnARegistryAddedToItAreBothCounted() {
        SimpleMeterRegistry application = new SimpleMeterRegistry();
        Metrics.globalRegistry.add(application);
        try (Cache onGlobal = Cachekit.create(
                        CachekitConfig.builder().namespace("global-too").build());
                Cache onApplication = Cachekit.create(CachekitConfig.builder()
                        .namespace("global-too")
                        .meterRegistry(application)
                        .build())) {
            onGlobal.set("a", 1);
            onApplication.set("a", 1);
            onApplication.set("b", 1);
            assertThat(count(application, "cache.puts", "cache", "global-too")).isEqualTo(3);
        } finally {
            Metrics.globalRegistry.remove(application);
        }
    }

    @Test
    void viewsOfOneCacheShareTheirNamespacesCounters() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Cache root = Cachekit.create(CachekitConfig.builder()
                .namespace("root")
                .meterRegistry(registry)
                .build());
        root.withNamespace("other").set("k", "v");
        root.withNamespace("other").get("k", String.class);
        assertThat(count(registry, "cache.gets", "cache", "other", "result", "hit"))
                .isEqualTo(1);
        assertThat(count(registry, "cache.puts", "cache", "other")).isEqualTo(1);
    }

    /**
     * Without Micrometer on the class path a cache still works, and Spring-style introspection of the configuration
     * (every declared method's signature) finds no Micrometer type: only the typed builder method names one.
     */
    @Test
    void micrometerStaysOptional() throws Exception {
        List<URL> urls = new ArrayList<>();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.isEmpty() && !entry.contains("micrometer") && !entry.contains("HdrHistogram")) {
                urls.add(new File(entry).toURI().toURL());
            }
        }
        try (URLClassLoader isolated =
                new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
            assertThat(catchLoad(isolated, "io.micrometer.core.instrument.MeterRegistry"))
                    .as("Micrometer is really absent")
                    .isInstanceOf(ClassNotFoundException.class);
            Class<?> probe = isolated.loadClass(WithoutMicrometer.class.getName());
            assertThat(probe.getMethod("run").invoke(null)).isEqualTo("v");
        }
    }

    private static Throwable catchLoad(ClassLoader loader, String name) {
        try {
            loader.loadClass(name);
            return null;
        } catch (ClassNotFoundException e) {
            return e;
        }
    }

    /** Loaded by a class loader without Micrometer. */
    public static final class WithoutMicrometer {
        public static String run() {
            CachekitConfig.class.getDeclaredMethods();
            Cache.class.getDeclaredMethods();
            try (Cache cache = Cachekit.fromUri("memory://?namespace=plain")) {
                cache.set("k", "v");
                return cache.get("k", String.class);
            }
        }
    }
}
