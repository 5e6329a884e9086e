package io.cachekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.cachekit.redis.internal.RedisKeys;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslVerifyMode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** URI forms, option validation and key layout; no server needed. */
class RedisBackendOptionsTest {

    private static RedisBackendOptions parse(String uri) {
        return RedisBackendOptions.fromUri(URI.create(uri));
    }

    private static RedisCredentials credentials(RedisURI uri) {
        return uri.getCredentialsProvider().resolveCredentials().block(Duration.ofSeconds(1));
    }

    @Test
    void standaloneWithDefaults() {
        RedisBackendOptions options = parse("redis://cache.internal");
        assertThat(options.cluster()).isFalse();
        RedisURI node = options.nodes().get(0);
        assertThat(node.getHost()).isEqualTo("cache.internal");
        assertThat(node.getPort()).isEqualTo(6379);
        assertThat(node.getDatabase()).isZero();
        assertThat(node.isSsl()).isFalse();
        assertThat(options.clientName()).isEqualTo("cachekit");
        assertThat(options.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.scanCount()).isEqualTo(1000);
        assertThat(options.maxValueBytes()).isEqualTo(512L * 1024 * 1024);
        assertThat(options.clientResources()).isNull();
        assertThat(options.target()).isEqualTo("redis://cache.internal:6379/0");
    }

    @Test
    void userPasswordDatabaseAndOptions() {
        RedisBackendOptions options = parse("redis://app:p%40ss+word@10.1.2.3:6390/4"
                + "?clientName=orders&connectTimeout=2s&scanCount=250&maxValueBytes=1048576");
        RedisURI node = options.nodes().get(0);
        assertThat(node.getPort()).isEqualTo(6390);
        assertThat(node.getDatabase()).isEqualTo(4);
        assertThat(credentials(node).getUsername()).isEqualTo("app");
        assertThat(new String(credentials(node).getPassword())).isEqualTo("p@ss+word");
        assertThat(options.clientName()).isEqualTo("orders");
        assertThat(options.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(options.scanCount()).isEqualTo(250);
        assertThat(options.maxValueBytes()).isEqualTo(1_048_576);
    }

    @Test
    void passwordOnlyUsesTheDefaultUser() {
        RedisURI node = parse("redis://:only-secret@localhost").nodes().get(0);
        assertThat(credentials(node).hasUsername()).isFalse();
        assertThat(new String(credentials(node).getPassword())).isEqualTo("only-secret");
    }

    @Test
    void ipv6Host() {
        RedisBackendOptions options = parse("redis://[::1]:6390/1");
        assertThat(options.nodes().get(0).getHost()).isEqualTo("::1");
        assertThat(options.target()).isEqualTo("redis://[::1]:6390/1");
    }

    @Test
    void tlsWithVerifyMode() {
        RedisURI full = parse("rediss://cache.example.com:6380").nodes().get(0);
        assertThat(full.isSsl()).isTrue();
        assertThat(full.getVerifyMode()).isEqualTo(SslVerifyMode.FULL);
        assertThat(parse("rediss://cache.example.com?verifyPeer=ca")
                        .nodes()
                        .get(0)
                        .getVerifyMode())
                .isEqualTo(SslVerifyMode.CA);
        assertThat(parse("rediss://cache.example.com?verifyPeer=none")
                        .nodes()
                        .get(0)
                        .getVerifyMode())
                .isEqualTo(SslVerifyMode.NONE);
        assertThat(parse("rediss://h").target()).startsWith("rediss://");
    }

    @Test
    void clusterSeedList() {
        RedisBackendOptions options = parse("redis-cluster://app:secret@10.0.0.1:7000,10.0.0.2,cache-3:7002");
        assertThat(options.cluster()).isTrue();
        assertThat(options.nodes())
                .extracting(RedisURI::getHost, RedisURI::getPort)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("10.0.0.1", 7000),
                        org.assertj.core.groups.Tuple.tuple("10.0.0.2", 6379),
                        org.assertj.core.groups.Tuple.tuple("cache-3", 7002));
        assertThat(options.nodes())
                .allSatisfy(node -> assertThat(credentials(node).getUsername()).isEqualTo("app"));
        assertThat(options.target()).isEqualTo("redis-cluster://10.0.0.1:7000,10.0.0.2:6379,cache-3:7002");
        assertThat(parse("rediss-cluster://h1:7000,h2:7000").nodes())
                .allSatisfy(n -> assertThat(n.isSsl()).isTrue());
    }

    @Test
    void unknownOptionNamesTheValidOnes() {
        assertThatThrownBy(() -> parse("redis://localhost?scancount=5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'scancount'")
                .hasMessageContaining("clientName, connectTimeout, maxValueBytes, scanCount, verifyPeer");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "redis://localhost?scanCount=0",
                "redis://localhost?scanCount=many",
                "redis://localhost?maxValueBytes=0",
                "redis://localhost?maxValueBytes=536870913",
                "redis://localhost?connectTimeout=0s",
                "redis://localhost?connectTimeout=soon",
                "redis://localhost?clientName=two%20words",
                "redis://localhost?verifyPeer=ca",
                "rediss://localhost?verifyPeer=maybe",
                "redis://localhost/db1",
                "redis://localhost/-1",
                "redis://localhost:0",
                "redis://localhost:99999",
                "redis://localhost:port",
                "redis://h1:6379,h2:6379",
                "redis-cluster://h1:7000,h2:7000/2",
                "redis-cluster://h1:7000,,h2:7000",
                "memcached://localhost",
                "redis://localhost#fragment",
                "redis:///0",
            })
    void invalidUrisFailWithAClearMessage(String uri) {
        Throwable error = catchThrowable(() -> parse(uri));
        assertThat(error).isInstanceOf(IllegalArgumentException.class);
        assertThat(error.getMessage()).isNotBlank();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "redis://app:T0p-Secret@localhost:notaport",
                "redis://T0p-Secret@localhost",
                "redis://app:T0p-Secret@localhost/x",
                "redis-cluster://app:T0p-Secret@h1:7000,h2:7000/1",
                "redis://app:T0p-Secret@h1:7000,h2:7000",
                "redis://app:T0p-Secret@localhost?bogus=1",
            })
    void credentialsNeverAppearInErrors(String uri) {
        Throwable error = catchThrowable(() -> parse(uri));
        assertThat(error).isInstanceOf(IllegalArgumentException.class);
        assertThat(error.getMessage()).doesNotContain("T0p-Secret");
    }

    @Test
    void toStringAndTargetHideCredentials() {
        RedisBackendOptions options = parse("redis://app:T0p-Secret@localhost:6390/2");
        assertThat(options.toString()).doesNotContain("T0p-Secret").contains("redis://localhost:6390/2");
        assertThat(options.target()).doesNotContain("T0p-Secret").doesNotContain("app");
    }

    @Test
    void builderFailsFast() {
        RedisBackendOptions.Builder b = RedisBackendOptions.builder();
        assertThatThrownBy(() -> b.scanCount(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxValueBytes(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.connectTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.clientName("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.standalone(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.cluster(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.cluster(RedisURI.create("redis://h:7000/3")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("database 0");
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void builtOptionsAreImmutable() {
        RedisURI server = RedisURI.create("redis://localhost:6390");
        RedisBackendOptions options =
                RedisBackendOptions.builder().standalone(server).scanCount(42).build();
        server.setPort(1);
        options.nodes().get(0).setPort(2);
        assertThat(options.nodes().get(0).getPort()).isEqualTo(6390);
        RedisBackendOptions changed = options.toBuilder().scanCount(7).build();
        assertThat(options.scanCount()).isEqualTo(42);
        assertThat(changed.scanCount()).isEqualTo(7);
        assertThat(changed.nodes().get(0).getPort()).isEqualTo(6390);
    }

    @Test
    void providerHandlesTheRedisSchemes() {
        RedisBackendProvider provider = new RedisBackendProvider();
        assertThat(provider.schemes()).containsExactlyInAnyOrder("redis", "rediss", "redis-cluster", "rediss-cluster");
        assertThat(provider.options()).isEqualTo(RedisBackendOptions.URI_OPTIONS);
    }

    @Test
    void keyLayoutIsNamespaceColonKey() {
        assertThat(RedisKeys.key("app:users", "42:profile")).isEqualTo(utf8("app:users:42:profile"));
        assertThat(RedisKeys.key("ns", "")).isEqualTo(utf8("ns:"));
        assertThat(RedisKeys.key("ns", "ключ🔑")).isEqualTo(utf8("ns:ключ🔑"));
        assertThat(RedisKeys.key("ns", "\uD800")).isNotEqualTo(RedisKeys.key("ns", "?"));
        assertThat(RedisKeys.key("ns", "\uD800")).isNotEqualTo(RedisKeys.key("ns", "\uDBFF"));
        assertThat(RedisKeys.key("ns", "a\uD800")).containsExactly('n', 's', ':', 'a', 0xED, 0xA0, 0x80);
    }

    @Test
    void scanPatternEscapesGlobCharacters() {
        assertThat(RedisKeys.pattern("app.users-1")).isEqualTo(utf8("app.users-1:*"));
        assertThat(RedisKeys.pattern("a*b?[c]\\")).isEqualTo(utf8("a\\*b\\?\\[c\\]\\\\:*"));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
