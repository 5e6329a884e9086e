package io.cachekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.memory.MemoryBackend;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CachekitTest {

    @Test
    void fromUriReadsCachekitAndBackendOptions() {
        try (Cache cache = Cachekit.fromUri("memory://?maxSize=500&namespace=app&ttl=5m&prefix=svc")) {
            assertThat(cache.namespace()).isEqualTo("app");
            assertThat(cache.config().defaultTtl()).isEqualTo(Duration.ofMinutes(5));
            assertThat(cache.config().keyPrefix()).isEqualTo("svc");
            assertThat(cache.unwrap(MemoryBackend.class).options().maxSize()).isEqualTo(500);
            cache.set("k", "v");
            assertThat(cache.get("k", String.class)).isEqualTo("v");
        }
    }

    @Test
    void unknownSchemeNamesTheAvailableOnes() {
        assertThatThrownBy(() -> Cachekit.fromUri("mysql://localhost/db"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown backend scheme 'mysql'")
                .hasMessageContaining("memory");
        assertThat(Cachekit.schemes()).contains("memory");
    }

    @Test
    void unknownOptionNamesTheValidOnes() {
        assertThatThrownBy(() -> Cachekit.fromUri("memory://?maxsize=10"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown option 'maxsize'")
                .hasMessageContaining("maxSize, maxWeightBytes, storeByValue");
        assertThatThrownBy(() -> Cachekit.fromUri("memory://?maxSize=lots"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxSize");
        assertThatThrownBy(() -> Cachekit.fromUri("memory://?maxWeightBytes=1000"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("storeByValue");
    }

    @Test
    void configRejectsBadValuesAtOnce() {
        assertThatThrownBy(() -> CachekitConfig.builder().namespace("has space"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("namespace");
        assertThatThrownBy(() -> CachekitConfig.builder().defaultTtl(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NO_EXPIRY");
        assertThatThrownBy(() -> CachekitConfig.fromProperties(Map.of("ttl", "soon")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("30s");
        assertThatThrownBy(() -> CachekitConfig.fromProperties(Map.of("colour", "red")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("backend, breaker, breakerCoolOff, breakerMinimumCalls, connect, enabled");
        assertThat(CachekitConfig.fromProperties(Map.of("ttl", "never", "errorPolicy", "fail-open")))
                .satisfies(c -> {
                    assertThat(c.defaultTtl()).isEqualTo(Cache.NO_EXPIRY);
                    assertThat(c.errorPolicy()).isEqualTo(ErrorPolicy.FAIL_OPEN);
                });
    }

    @Test
    void credentialsNeverReachMessages() {
        CachekitConfig config = CachekitConfig.builder()
                .backend("redis://user:s3cret@localhost:6379/0")
                .build();
        assertThat(config.toString()).doesNotContain("s3cret").contains("redis://***@localhost:6379/0");
        assertThatThrownBy(() -> Cachekit.fromUri("nosuch://user:s3cret@host"))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
    }

    @Test
    void namespacesShareTheBackendButNotEntries() {
        try (Cache cache = Cachekit.fromUri("memory://")) {
            Cache users = cache.withNamespace("users");
            cache.set("id", "default");
            users.set("id", "user");
            users.clear();
            assertThat(users.has("id")).isFalse();
            assertThat(cache.get("id", String.class)).isEqualTo("default");
            assertThat(users.unwrap(MemoryBackend.class)).isSameAs(cache.unwrap(MemoryBackend.class));
        }
    }

    @Test
    void memoryBackendIsBoundedAndCountsEvictions() {
        try (Cache cache = Cachekit.fromUri("memory://?maxSize=100")) {
            for (int i = 0; i < 1_000; i++) {
                cache.set("k" + i, i);
            }
            MemoryBackend memory = cache.unwrap(MemoryBackend.class);
            cache.unwrap(com.github.benmanes.caffeine.cache.Cache.class).cleanUp();
            assertThat(memory.estimatedSize()).isLessThanOrEqualTo(100);
            assertThat(cache.stats().evictions()).isGreaterThanOrEqualTo(900);
        }
    }

    @Test
    void storeByValueReturnsCopies() {
        try (Cache cache = Cachekit.fromUri("memory://?storeByValue=true")) {
            java.util.List<String> list = new java.util.ArrayList<>(java.util.List.of("a"));
            cache.set("list", list);
            list.add("changed after caching");
            assertThat(cache.get("list", new TypeRef<java.util.List<String>>() {}))
                    .containsExactly("a");
        }
    }
}
