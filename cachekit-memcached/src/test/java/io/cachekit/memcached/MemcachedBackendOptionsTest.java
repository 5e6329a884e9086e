package io.cachekit.memcached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.cachekit.Cachekit;
import io.cachekit.memcached.MemcachedBackendOptions.Server;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** URIs and the options builder; nothing here needs a server. */
class MemcachedBackendOptionsTest {
    private static final String SECRET = "pa55-W0rd";

    private static MemcachedBackendOptions parse(String uri) {
        return MemcachedBackendOptions.fromUri(URI.create(uri));
    }

    @Test
    void severalServersWithAndWithoutPorts() {
        MemcachedBackendOptions options = parse("memcached://cache1:11211,cache2,10.0.0.3:11300");
        assertThat(options.servers())
                .containsExactly(
                        new Server("cache1", 11211), new Server("cache2", 11211), new Server("10.0.0.3", 11300));
        assertThat(options.target()).isEqualTo("memcached://cache1:11211,cache2:11211,10.0.0.3:11300");
        // One IPv6 server in a URI; Java's URI parser rejects IPv6 addresses in a list (use the builder).
        assertThat(parse("memcached://[::1]:11300").servers()).containsExactly(new Server("::1", 11300));
        assertThat(parse("memcached://[fe80::2]").target()).isEqualTo("memcached://[fe80::2]:11211");
        assertThat(MemcachedBackendOptions.builder()
                        .servers("[::1]:11300,[fe80::2]")
                        .build()
                        .servers())
                .containsExactly(new Server("::1", 11300), new Server("fe80::2", 11211));
        assertThat(options.connectionPoolSize()).isEqualTo(1);
        assertThat(options.maxValueBytes()).isEqualTo(1024 * 1024 - 1024);
        assertThat(options.generationReuse()).isEqualTo(Duration.ofSeconds(1));
        assertThat(options.user()).isNull();
    }

    @Test
    void optionsFromTheQuery() {
        MemcachedBackendOptions options =
                parse("memcached://h1:11211,h2:11212?connectionPoolSize=4&maxValueBytes=4193280&generationReuse=250ms");
        assertThat(options.connectionPoolSize()).isEqualTo(4);
        assertThat(options.maxValueBytes()).isEqualTo(4_193_280);
        assertThat(options.generationReuse()).isEqualTo(Duration.ofMillis(250));
        assertThat(parse("memcached://h1?generationReuse=0s").generationReuse()).isZero();
        assertThat(options.toBuilder().build().toString()).isEqualTo(options.toString());
    }

    @Test
    void credentialsArePercentDecodedAndNeverShown() {
        MemcachedBackendOptions options = parse("memcached://app:p%40ss+" + SECRET + "@h1:11211,h2:11211");
        assertThat(options.user()).isEqualTo("app");
        assertThat(options.password()).isEqualTo("p@ss+" + SECRET);
        assertThat(options.toString()).doesNotContain(SECRET).contains("sasl=true");
        assertThat(options.target()).doesNotContain(SECRET).doesNotContain("app");
    }

    @Test
    void unknownOptionsNameTheValidOnes() {
        assertThatThrownBy(() -> parse("memcached://h1:11211?poolsize=2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'poolsize'")
                .hasMessageContaining("connectionPoolSize, generationReuse, maxValueBytes");
        Throwable viaCachekit =
                catchThrowable(() -> Cachekit.fromUri("memcached://app:" + SECRET + "@h1:11211?nope=1&namespace=x"));
        assertThat(viaCachekit)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'nope'")
                .hasMessageContaining("connectionPoolSize, generationReuse, maxValueBytes");
        assertThat(viaCachekit.toString()).doesNotContain(SECRET);
    }

    @Test
    void generationReuseIsZeroToTenSeconds() {
        assertThatThrownBy(() -> parse("memcached://h1?generationReuse=11s"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("generationReuse must be between 0 and 10 seconds");
        MemcachedBackendOptions.Builder b = MemcachedBackendOptions.builder().server("h1", 11211);
        assertThatThrownBy(() -> b.generationReuse(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.generationReuse(null)).isInstanceOf(NullPointerException.class);
        assertThat(b.generationReuse(Duration.ofSeconds(10)).build().generationReuse())
                .isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void invalidValuesNameTheOption() {
        assertThatThrownBy(() -> parse("memcached://h1?connectionPoolSize=0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectionPoolSize");
        assertThatThrownBy(() -> parse("memcached://h1?connectionPoolSize=many"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectionPoolSize");
        assertThatThrownBy(() -> parse("memcached://h1?maxValueBytes=0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxValueBytes");
        assertThatThrownBy(() -> parse("memcached://h1?maxValueBytes=2000000000"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxValueBytes");
    }

    @Test
    void malformedUrisAreRejectedWithoutShowingTheSecret() {
        for (String uri : List.of(
                "memcached://h1:11211/0",
                "memcached://h1:port",
                "memcached://h1:70000",
                "memcached://h1:11211,,h2:11211",
                "memcached://h1:11211,h1:11211",
                "memcached://app@h1:11211",
                "memcached://app:" + SECRET + "@h1:11211,h1:11211",
                "memcached://app:" + SECRET + "@h1:bad",
                "memcached://[::1:11211")) {
            Throwable error = catchThrowable(() -> parse(uri));
            assertThat(error).as(uri).isInstanceOf(IllegalArgumentException.class);
            for (Throwable t = error; t != null; t = t.getCause()) {
                assertThat(t.toString()).as(uri).doesNotContain(SECRET);
            }
        }
        assertThatThrownBy(() -> MemcachedBackendOptions.fromUri(URI.create("redis://h1:6379")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theBuilderFailsFast() {
        assertThatThrownBy(() -> MemcachedBackendOptions.builder().build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> MemcachedBackendOptions.builder().server("", 11211))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MemcachedBackendOptions.builder().server("h", 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MemcachedBackendOptions.builder().server(null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> MemcachedBackendOptions.builder().credentials("app", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> MemcachedBackendOptions.builder().connectionPoolSize(65))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MemcachedBackendOptions.builder().servers("a:1,A:1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("twice");
        MemcachedBackendOptions options = MemcachedBackendOptions.builder()
                .servers("a:11211, b:11212")
                .server("c", 11213)
                .credentials("app", SECRET)
                .maxValueBytes(MemcachedBackendOptions.MAX_MAX_VALUE_BYTES)
                .build();
        assertThat(options.servers()).extracting(Server::port).containsExactly(11211, 11212, 11213);
        assertThat(options.toString()).doesNotContain(SECRET);
    }

    @Test
    void theProviderIsFoundByItsScheme() {
        MemcachedBackendProvider provider = new MemcachedBackendProvider();
        assertThat(provider.schemes()).containsExactly("memcached");
        assertThat(provider.options())
                .containsExactlyInAnyOrder("connectionPoolSize", "maxValueBytes", "generationReuse");
        assertThat(java.util.ServiceLoader.load(io.cachekit.spi.CacheBackendProvider.class).stream()
                        .map(p -> p.type().getName()))
                .contains(MemcachedBackendProvider.class.getName());
    }
}
