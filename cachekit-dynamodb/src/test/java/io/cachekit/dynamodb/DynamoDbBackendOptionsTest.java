package io.cachekit.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.spi.CacheBackendProvider;
import java.net.URI;
import java.time.Duration;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Reading {@code dynamodb://} URIs and building options; the provider found by ServiceLoader. */
class DynamoDbBackendOptionsTest {

    private static DynamoDbBackendOptions parse(String uri) {
        return DynamoDbBackendOptions.fromUri(URI.create(uri));
    }

    @Test
    void aUriNamesTheTableAndItsOptions() {
        DynamoDbBackendOptions options = parse(
                "dynamodb://cache-table.v2?region=eu-west-1"
                        + "&endpoint=http://127.0.0.1:8600&createTable=false&maxItemAge=30d&maxConnections=20&generationReuse=250ms");
        assertThat(options.table()).isEqualTo("cache-table.v2");
        assertThat(options.region()).isEqualTo(Region.EU_WEST_1);
        assertThat(options.endpoint()).isEqualTo(URI.create("http://127.0.0.1:8600"));
        assertThat(options.createTable()).isFalse();
        assertThat(options.maxItemAge()).isEqualTo(Duration.ofDays(30));
        assertThat(options.maxConnections()).isEqualTo(20);
        assertThat(options.generationReuse()).isEqualTo(Duration.ofMillis(250));
        assertThat(options.target()).isEqualTo("table cache-table.v2 in eu-west-1 at http://127.0.0.1:8600");
    }

    @Test
    void defaultsLeaveRegionAndCredentialsToTheSdkChains() {
        DynamoDbBackendOptions options = parse("dynamodb://?createTable=true");
        assertThat(options.table()).isEqualTo(DynamoDbBackendOptions.DEFAULT_TABLE);
        assertThat(options.region()).isNull();
        assertThat(options.endpoint()).isNull();
        assertThat(options.createTable()).isTrue();
        assertThat(options.maxItemAge()).isNull();
        assertThat(options.maxConnections()).isEqualTo(50);
        assertThat(options.generationReuse()).isEqualTo(Duration.ofSeconds(1));
        assertThat(options.credentialsProvider()).isNull();
        assertThat(options.client()).isNull();
        assertThat(parse("dynamodb://?region=us-east-1").table()).isEqualTo("cachekit_entries");
        assertThat(parse("dynamodb://Cache_Entries/").table()).isEqualTo("Cache_Entries");
        assertThat(options.toString()).contains("default chain");
    }

    @Test
    void badUrisAndOptionsFailNamingTheProblem() {
        assertThatThrownBy(() -> parse("redis://table"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dynamodb://");
        assertThatThrownBy(() -> parse("dynamodb://ab"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3 to 255 characters");
        assertThatThrownBy(() -> parse("dynamodb://table:8000"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("endpoint option");
        assertThatThrownBy(() -> parse("dynamodb://table/extra"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no path");
        assertThatThrownBy(() -> parse("dynamodb://table?regoin=us-east-1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'regoin'")
                .hasMessageContaining("createTable, endpoint, generationReuse, maxConnections, maxItemAge, region");
        assertThatThrownBy(() -> parse("dynamodb://table?region=not a region"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("region");
        assertThatThrownBy(() -> parse("dynamodb://table?endpoint=ftp://host"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> parse("dynamodb://table?createTable=maybe"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("createTable");
        assertThatThrownBy(() -> parse("dynamodb://table?maxItemAge=0s"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxItemAge");
        assertThatThrownBy(() -> parse("dynamodb://table?generationReuse=11s"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("generationReuse must be between 0 and 10 seconds");
        assertThatThrownBy(() -> parse("dynamodb://table?maxConnections=0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxConnections");
    }

    @Test
    void credentialsInTheUriAreRefusedWithoutBeingRepeated() {
        assertThatThrownBy(() -> parse("dynamodb://AKID:very-secret@table?region=us-east-1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("default credentials chain")
                .hasMessageNotContaining("very-secret");
        assertThatThrownBy(() -> parse("dynamodb://table?endpoint=http://AKID:very-secret@localhost:8000"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("very-secret");
    }

    @Test
    void theBuilderFailsFast() {
        DynamoDbBackendOptions.Builder b = DynamoDbBackendOptions.builder();
        assertThatThrownBy(() -> b.table("x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.table("bad/name")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.table("t".repeat(256))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.table(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.maxItemAge(Duration.ofDays(36_501))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxItemAge(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(b.table("t".repeat(255)).maxItemAge(null).build().maxItemAge())
                .isNull();
        assertThatThrownBy(() -> b.generationReuse(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.generationReuse(null)).isInstanceOf(NullPointerException.class);
        assertThat(b.generationReuse(Duration.ZERO).build().generationReuse()).isZero();

        try (DynamoDbClient client = TestDynamo.client(TestDynamo.ENDPOINT, new TestDynamo.Requests());
                DynamoDbAsyncClient async = TestDynamo.asyncClient(TestDynamo.ENDPOINT, new TestDynamo.Requests())) {
            assertThatThrownBy(() -> DynamoDbBackendOptions.builder()
                            .clients(client, async)
                            .region("us-east-1")
                            .build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("application's clients");
            assertThatThrownBy(() -> DynamoDbBackendOptions.builder().clients(client, null))
                    .isInstanceOf(NullPointerException.class);
            DynamoDbBackendOptions own =
                    DynamoDbBackendOptions.builder().clients(client, async).build();
            assertThat(own.client()).isSameAs(client);
            assertThat(own.toBuilder().build().asyncClient()).isSameAs(async);
        }
    }

    @Test
    void theProviderIsFoundByItsSchemeAndServesACache() {
        assertThat(ServiceLoader.load(CacheBackendProvider.class).stream()
                        .map(ServiceLoader.Provider::get)
                        .filter(p -> p.schemes().contains("dynamodb"))
                        .findFirst())
                .hasValueSatisfying(p -> {
                    assertThat(p).isInstanceOf(DynamoDbBackendProvider.class);
                    assertThat(p.options()).isEqualTo(DynamoDbBackendOptions.URI_OPTIONS);
                });
        try (Cache cache = Cachekit.fromUri(
                TestDynamo.uri("cachekit_provider") + "&namespace=provider&ttl=5m&timeout=5s&connect=eager")) {
            cache.set("greeting", "hello");
            assertThat(cache.get("greeting", String.class)).isEqualTo("hello");
            assertThat(cache.unwrap(DynamoDbBackend.class).name()).isEqualTo("dynamodb");
            assertThat(cache.unwrap(DynamoDbClient.class)).isNotNull();
            cache.clear();
            assertThat(cache.get("greeting", String.class)).isNull();
        }
    }
}
