package io.cachekit.dynamodb.internal;

import io.cachekit.CacheBackendException;
import io.cachekit.dynamodb.DynamoDbBackendOptions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

/**
 * What the backend does with its table at start: checks that it exists with the expected key (the string
 * partition key {@code pk}, nothing else), creates it when absent and allowed (on-demand billing), and makes
 * sure DynamoDB's TTL is enabled on {@link ItemLayout#TTL}. A TTL that cannot be enabled (an endpoint without
 * UpdateTimeToLive, such as dynalite, or missing permissions) is logged once per table and endpoint, never
 * a failure: reads filter expired items anyway, only their deletion is lost.
 *
 * <p>Not API; used once per backend, from one thread.
 */
public final class TableSetup {
    private static final Logger log = LoggerFactory.getLogger(TableSetup.class);

    /** Tables (with their endpoint) whose TTL problem was already logged in this JVM. */
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    /** The least time a setup call gets: the first call of a JVM loads much of the SDK. */
    private static final Duration LEAST_CALL_TIMEOUT = Duration.ofSeconds(5);

    /** How long a table being created may take to become active. */
    private static final Duration CREATION_WAIT = Duration.ofSeconds(120);

    private final DynamoDbClient client;
    private final DynamoDbBackendOptions options;
    private final DynamoDbErrors errors;
    private final String table;
    private final AwsRequestOverrideConfiguration callTimeout;

    public TableSetup(DynamoDbClient client, DynamoDbBackendOptions options, DynamoDbErrors errors, Duration timeout) {
        this.client = client;
        this.options = options;
        this.errors = errors;
        this.table = options.table();
        this.callTimeout = AwsRequestOverrideConfiguration.builder()
                .apiCallTimeout(timeout.compareTo(LEAST_CALL_TIMEOUT) > 0 ? timeout : LEAST_CALL_TIMEOUT)
                .build();
    }

    /** Checks (and creates) the table and its TTL. */
    public void run() {
        TableDescription description = describe();
        if (description == null) {
            if (!options.createTable()) {
                throw new CacheBackendException("dynamodb: " + options.target()
                        + " does not exist and createTable is false: create it with the string partition key 'pk'"
                        + " (see docs/backends/dynamodb.md), or allow createTable");
            }
            create();
            description = waitUntilActive();
            checkKeySchema(description);
            enableTtl();
            return;
        }
        checkKeySchema(description);
        if (description.tableStatus() == TableStatus.CREATING) {
            waitUntilActive();
        } else if (description.tableStatus() != TableStatus.ACTIVE
                && description.tableStatus() != TableStatus.UPDATING) {
            throw new CacheBackendException(
                    "dynamodb: " + options.target() + " is " + description.tableStatusAsString() + ", not ACTIVE");
        }
        checkTtl();
    }

    private TableDescription describe() {
        try {
            return client.describeTable(b -> b.tableName(table).overrideConfiguration(callTimeout))
                    .table();
        } catch (ResourceNotFoundException e) {
            return null;
        } catch (RuntimeException e) {
            throw errors.atCreation("describe table", e);
        }
    }

    private void create() {
        try {
            client.createTable(b -> b.tableName(table)
                    .keySchema(KeySchemaElement.builder()
                            .attributeName(ItemLayout.PK)
                            .keyType(KeyType.HASH)
                            .build())
                    .attributeDefinitions(AttributeDefinition.builder()
                            .attributeName(ItemLayout.PK)
                            .attributeType(ScalarAttributeType.S)
                            .build())
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .overrideConfiguration(callTimeout));
            log.info("dynamodb: created {} (on-demand billing)", options.target());
        } catch (ResourceInUseException e) {
            log.debug("dynamodb: {} is being created by another process", options.target());
        } catch (RuntimeException e) {
            throw errors.atCreation("create table", e);
        }
    }

    private TableDescription waitUntilActive() {
        long deadline = System.nanoTime() + CREATION_WAIT.toNanos();
        while (true) {
            TableDescription description = describe();
            if (description != null && description.tableStatus() == TableStatus.ACTIVE) {
                return description;
            }
            if (System.nanoTime() > deadline) {
                throw new CacheBackendException(
                        "dynamodb: " + options.target() + " did not become ACTIVE within " + CREATION_WAIT);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CacheBackendException("dynamodb: interrupted while waiting for " + options.target(), e);
            }
        }
    }

    private void checkKeySchema(TableDescription description) {
        List<KeySchemaElement> keys = description.keySchema();
        boolean ok = keys.size() == 1
                && keys.get(0).attributeName().equals(ItemLayout.PK)
                && keys.get(0).keyType() == KeyType.HASH
                && description.attributeDefinitions().stream()
                        .anyMatch(a ->
                                a.attributeName().equals(ItemLayout.PK) && a.attributeType() == ScalarAttributeType.S);
        if (!ok) {
            throw new CacheBackendException("dynamodb: " + options.target() + " has the key schema " + keys
                    + "; Cachekit needs a table whose only key is the string partition key 'pk'");
        }
    }

    private void checkTtl() {
        TimeToLiveDescription ttl;
        try {
            ttl = client.describeTimeToLive(b -> b.tableName(table).overrideConfiguration(callTimeout))
                    .timeToLiveDescription();
        } catch (RuntimeException e) {
            warnOnce("cannot read the table's TTL setting ("
                    + errors.map("describe TTL", e).getMessage() + ")");
            return;
        }
        TimeToLiveStatus status = ttl == null ? null : ttl.timeToLiveStatus();
        if (status == TimeToLiveStatus.ENABLED || status == TimeToLiveStatus.ENABLING) {
            if (!ItemLayout.TTL.equals(ttl.attributeName())) {
                warnOnce("DynamoDB's TTL is enabled on attribute '" + ttl.attributeName() + "', not '" + ItemLayout.TTL
                        + "'");
            }
            return;
        }
        if (options.createTable()) {
            enableTtl();
        } else {
            warnOnce("DynamoDB's TTL is " + (status == null ? "not enabled" : status)
                    + " (createTable is false, so Cachekit does not enable it)");
        }
    }

    private void enableTtl() {
        try {
            client.updateTimeToLive(b -> b.tableName(table)
                    .timeToLiveSpecification(s -> s.enabled(true).attributeName(ItemLayout.TTL))
                    .overrideConfiguration(callTimeout));
            log.info("dynamodb: enabled TTL on attribute '{}' of {}", ItemLayout.TTL, options.target());
        } catch (AwsServiceException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("already enabled")) {
                return;
            }
            String code =
                    e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            if ("UnknownOperationException".equals(code)) {
                warnOnce("the endpoint cannot enable TTL (UpdateTimeToLive is an unknown operation there, as on"
                        + " dynalite)");
            } else {
                warnOnce("enabling TTL failed (" + errors.map("enable TTL", e).getMessage() + ")");
            }
        } catch (RuntimeException e) {
            warnOnce("enabling TTL failed (" + errors.map("enable TTL", e).getMessage() + ")");
        }
    }

    private void warnOnce(String problem) {
        if (WARNED.add(options.target())) {
            log.warn(
                    "dynamodb: {}: {}. Expired items are still never returned (reads check their expiry), but"
                            + " DynamoDB will not delete them: enable TTL on attribute '{}' to reclaim their storage.",
                    options.target(),
                    problem,
                    ItemLayout.TTL);
        }
    }
}
