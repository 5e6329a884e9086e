package io.cachekit.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cachekit.BackendStatus;
import io.cachekit.Cache;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheValueTooLargeException;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.dynamodb.internal.ItemLayout;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The DynamoDB backend's items and its table, on the shared dynalite: the 400 KB item size limit (checked before
 * anything is sent, never counted against the store's health), keys over the partition key limit, expiry and
 * TTL attributes with expired items filtered on read, creating or refusing the table, and unwrap and close.
 */
class DynamoDbBackendItemsAndTableTest extends DynamoDbBackendTestBase {
    // ---------------------------------------------------------------- item size

    @Test
    void anItemOverTheLimitFailsBeforeAnythingIsSent() {
        String ns = newNamespace();
        backend.set(ns, "big", bytes("small before"), null);
        byte[] big = new byte[ItemLayout.MAX_ITEM_BYTES];
        requests.reset();

        assertThatThrownBy(() -> backend.set(ns, "big", big, null))
                .isInstanceOf(CacheValueTooLargeException.class)
                .hasMessageContaining("400 KB")
                .hasMessageContaining("nothing was written");
        assertThat(backend.setAsync(ns, "big", big, Duration.ofMinutes(1)))
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(CacheValueTooLargeException.class);
        assertThatThrownBy(() -> backend.setIfAbsent(ns, "absent", big, null))
                .isInstanceOf(CacheValueTooLargeException.class);
        assertThat(backend.setIfAbsentAsync(ns, "absent", big, null))
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(CacheValueTooLargeException.class);
        Map<String, byte[]> many = new LinkedHashMap<>();
        many.put("fits", bytes("x"));
        many.put("big", big);
        assertThatThrownBy(() -> backend.setMany(ns, many, null)).isInstanceOf(CacheValueTooLargeException.class);
        assertThat(backend.setManyAsync(ns, many, null))
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(CacheValueTooLargeException.class);
        assertThat(requests.operations()).as("nothing was sent").isEmpty();

        assertThat(backend.get(ns, "big")).isEqualTo(bytes("small before"));
        assertThat(backend.get(ns, "fits")).as("a bulk write is refused whole").isNull();
        assertThat(backend.get(ns, "absent")).isNull();
    }

    @Test
    void valuesOverTheLimitNeverOpenTheCircuitBreaker() {
        CachekitConfig config = CachekitConfig.builder()
                .namespace(newNamespace())
                .breakerMinimumCalls(4)
                .operationTimeout(Duration.ofSeconds(10))
                .executor(executor)
                .build();
        DynamoDbBackend own = DynamoDbBackend.create(TestDynamo.options(TABLE).build(), Cachekit.contextOf(config));
        try (Cache cache = Cachekit.create(config, own)) {
            byte[] big = new byte[ItemLayout.MAX_ITEM_BYTES];
            for (int i = 0; i < 10; i++) {
                assertThatThrownBy(() -> cache.set("big", big)).isInstanceOf(CacheValueTooLargeException.class);
                assertThat(cache.async().set("big", big))
                        .failsWithin(Duration.ofSeconds(10))
                        .withThrowableOfType(ExecutionException.class)
                        .withCauseInstanceOf(CacheValueTooLargeException.class);
                assertThatThrownBy(() -> cache.setIfAbsent("big", big, null))
                        .isInstanceOf(CacheValueTooLargeException.class);
            }
            assertThat(cache.backendStatus())
                    .as("30 values over the limit say nothing of the store's health")
                    .isEqualTo(BackendStatus.UP);
            cache.set("small", "fits");
            assertThat(cache.get("small", String.class)).isEqualTo("fits");
        }
    }

    @Test
    void aValueJustUnderTheLimitIsStored() {
        String ns = newNamespace();
        String key = "k".repeat(100);
        int largest = (int) (ItemLayout.MAX_ITEM_BYTES - ItemLayout.entryItemSize(ItemLayout.entryKey(ns, key), 0));
        byte[] value = new byte[largest];
        new java.util.Random(1).nextBytes(value);
        backend.set(ns, key, value, Duration.ofMinutes(1));
        assertThat(backend.get(ns, key)).isEqualTo(value);
        assertThatThrownBy(() -> backend.set(ns, key, new byte[largest + 1], null))
                .isInstanceOf(CacheBackendException.class);
    }

    // ---------------------------------------------------------------- keys

    @Test
    void keysOverThePartitionKeyLimitAreStoredUnderADigestThatEveryBackendFinds() {
        String ns = newNamespace();
        String longKey = "x".repeat(3000);
        String otherLongKey = "x".repeat(2999) + "y";
        backend.set(ns, longKey, bytes("long"), null);
        backend.set(ns, otherLongKey, bytes("other"), null);
        backend.set(ns, "tab\there", bytes("control"), null);
        backend.set(ns, "readable key ✓", bytes("readable"), null);

        assertThat(rawItem(ns + ":readable key ✓"))
                .as("readable keys stay readable")
                .isNotEmpty();
        String digestKey = ItemLayout.entryKey(ns, longKey);
        assertThat(digestKey).startsWith(ns + "#").hasSize(ns.length() + 1 + 43);
        assertThat(rawItem(digestKey)).isNotEmpty();
        assertThat(ItemLayout.entryKey(ns, "tab\there")).startsWith(ns + "#");

        try (DynamoDbBackend other = DynamoDbBackend.create(
                TestDynamo.options(TABLE).build(), context(Duration.ofSeconds(10), Clock.systemUTC()))) {
            assertThat(other.get(ns, longKey)).isEqualTo(bytes("long"));
            assertThat(other.get(ns, otherLongKey)).isEqualTo(bytes("other"));
            assertThat(other.get(ns, "tab\there")).isEqualTo(bytes("control"));
            assertThat(other.getMany(ns, List.of(longKey, otherLongKey, "readable key ✓")))
                    .hasSize(3);
        }
    }

    // ---------------------------------------------------------------- expiry

    @Test
    void expiryIsStoredInMillisecondsAndTheTtlAttributeInSecondsRoundedUp() {
        Instant now = Instant.parse("2030-01-01T00:00:00.250Z");
        Clock fixed = Clock.fixed(now, ZoneOffset.UTC);
        String ns = newNamespace();
        try (DynamoDbBackend atNoon = DynamoDbBackend.create(
                        TestDynamo.options(TABLE).build(), context(Duration.ofSeconds(10), fixed));
                DynamoDbBackend capped = DynamoDbBackend.create(
                        TestDynamo.options(TABLE).maxItemAge(Duration.ofDays(1)).build(),
                        context(Duration.ofSeconds(10), fixed))) {
            atNoon.set(ns, "short", bytes("v"), Duration.ofMillis(1500));
            atNoon.set(ns, "sub-millisecond", bytes("v"), Duration.ofNanos(1));
            atNoon.set(ns, "forever", bytes("v"), null);
            capped.set(ns, "capped-forever", bytes("v"), null);
            capped.set(ns, "capped-short", bytes("v"), Duration.ofSeconds(10));

            Map<String, AttributeValue> item = rawItem(ItemLayout.entryKey(ns, "short"));
            assertThat(item.get("exp").n()).isEqualTo(Long.toString(now.toEpochMilli() + 1500));
            assertThat(item.get("ttl").n()).isEqualTo(Long.toString(now.getEpochSecond() + 2));
            Map<String, AttributeValue> tiny = rawItem(ItemLayout.entryKey(ns, "sub-millisecond"));
            assertThat(tiny.get("exp").n()).isEqualTo(Long.toString(now.toEpochMilli() + 1));
            Map<String, AttributeValue> forever = rawItem(ItemLayout.entryKey(ns, "forever"));
            assertThat(forever).doesNotContainKeys("exp", "ttl");
            Map<String, AttributeValue> cappedForever = rawItem(ItemLayout.entryKey(ns, "capped-forever"));
            assertThat(cappedForever).doesNotContainKey("exp");
            assertThat(cappedForever.get("ttl").n()).isEqualTo(Long.toString(now.getEpochSecond() + 86_401));
            assertThat(rawItem(ItemLayout.entryKey(ns, "capped-short"))
                            .get("ttl")
                            .n())
                    .isEqualTo(Long.toString(now.getEpochSecond() + 11));

            assertThat(atNoon.get(ns, "short")).isEqualTo(bytes("v"));
            assertThat(capped.get(ns, "capped-forever")).isEqualTo(bytes("v"));
        }
    }

    @Test
    void expiredItemsAreFilteredOnReadInRealTimeThoughTheStoreKeepsThem() {
        String ns = newNamespace();
        backend.set(ns, "real", bytes("v"), Duration.ofMillis(500));
        backend.set(ns, "kept", bytes("v"), Duration.ofMinutes(10));
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> backend.get(ns, "real") == null);
        assertThat(backend.getAsync(ns, "real").join()).isNull();
        assertThat(backend.getMany(ns, List.of("real", "kept"))).containsOnlyKeys("kept");
        assertThat(rawItem(ItemLayout.entryKey(ns, "real")))
                .as("dynalite never deletes by TTL; the read filtered it")
                .isNotEmpty();
        assertThat(backend.setIfAbsent(ns, "real", bytes("new"), null))
                .as("an expired item the store still holds is no obstacle")
                .isNull();
        assertThat(backend.setIfAbsentAsync(ns, "kept", bytes("new"), null).join())
                .isEqualTo(bytes("v"));
        assertThat(backend.get(ns, "real")).isEqualTo(bytes("new"));
    }

    // ---------------------------------------------------------------- table

    @Test
    void aMissingTableIsCreatedWithTheExpectedKeyOrRefusedWhenCreationIsOff() {
        String table = "cachekit_new_" + UUID.randomUUID().toString().substring(0, 8);
        assertThatThrownBy(() -> DynamoDbBackend.create(
                        TestDynamo.options(table).createTable(false).build(),
                        context(Duration.ofSeconds(10), Clock.systemUTC())))
                .isInstanceOf(CacheBackendException.class)
                .hasMessageContaining("does not exist")
                .hasMessageContaining("createTable");
        assertThatThrownBy(() -> client.describeTable(b -> b.tableName(table)))
                .isInstanceOf(ResourceNotFoundException.class);

        try (DynamoDbBackend created = DynamoDbBackend.create(
                TestDynamo.options(table).build(), context(Duration.ofSeconds(10), Clock.systemUTC()))) {
            var description = client.describeTable(b -> b.tableName(table)).table();
            assertThat(description.keySchema())
                    .containsExactly(KeySchemaElement.builder()
                            .attributeName("pk")
                            .keyType(KeyType.HASH)
                            .build());
            assertThat(description.billingModeSummary().billingMode()).isEqualTo(BillingMode.PAY_PER_REQUEST);
            created.set("ns", "k", bytes("v"), null);
            assertThat(created.get("ns", "k")).isEqualTo(bytes("v"));
        } finally {
            client.deleteTable(b -> b.tableName(table));
        }
    }

    @Test
    void aTableWithAnotherKeyIsRefused() {
        String table = "cachekit_other_key_" + UUID.randomUUID().toString().substring(0, 8);
        client.createTable(b -> b.tableName(table)
                .keySchema(KeySchemaElement.builder()
                        .attributeName("id")
                        .keyType(KeyType.HASH)
                        .build())
                .attributeDefinitions(AttributeDefinition.builder()
                        .attributeName("id")
                        .attributeType(ScalarAttributeType.S)
                        .build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
        try {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> client.describeTable(b -> b.tableName(table))
                                    .table()
                                    .tableStatus()
                            == software.amazon.awssdk.services.dynamodb.model.TableStatus.ACTIVE);
            assertThatThrownBy(() -> DynamoDbBackend.create(
                            TestDynamo.options(table).build(), context(Duration.ofSeconds(10), Clock.systemUTC())))
                    .isInstanceOf(CacheBackendException.class)
                    .hasMessageContaining("only key is the string partition key 'pk'");
        } finally {
            client.deleteTable(b -> b.tableName(table));
        }
    }

    @Test
    void unwrapReachesTheClientsAndAClosedBackendFailsClearly() {
        DynamoDbBackend own = DynamoDbBackend.create(
                TestDynamo.options(TABLE).build(), context(Duration.ofSeconds(10), Clock.systemUTC()));
        assertThat(own.unwrap(DynamoDbClient.class)).isNotNull();
        assertThat(own.unwrap(DynamoDbAsyncClient.class)).isNotNull();
        assertThat(own.unwrap(DynamoDbBackendOptions.class).table()).isEqualTo(TABLE);
        assertThatThrownBy(() -> own.unwrap(String.class)).isInstanceOf(IllegalArgumentException.class);
        own.close();
        own.close();
        assertThatThrownBy(() -> own.get("ns", "k"))
                .isInstanceOf(CacheBackendException.class)
                .hasMessageContaining("closed");
        CompletableFuture<byte[]> closed = own.getAsync("ns", "k");
        assertThat(closed).isCompletedExceptionally();

        assertThat(backend.unwrap(DynamoDbClient.class))
                .as("the application's clients are the backend's")
                .isSameAs(client);
    }
}
