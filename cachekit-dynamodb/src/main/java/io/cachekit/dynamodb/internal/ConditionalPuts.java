package io.cachekit.dynamodb.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The conditional put of {@code setIfAbsent} ({@link Requests#conditionalPut}): writes an entry only over an
 * absent, expired or older-generation one. A failed condition is an answer, not an error: it yields the item
 * in the way, as DynamoDB returned it ({@code ALL_OLD}), or an empty map where the endpoint returns nothing
 * (dynalite does not).
 *
 * <p>Not API; thread-safe. Deadlines are {@link System#nanoTime()} values.
 */
public final class ConditionalPuts {
    private final DynamoDbClient client;
    private final DynamoDbAsyncClient asyncClient;
    private final Requests requests;
    private final SdkCalls calls;
    private final DynamoDbErrors errors;

    /**
     * @param clients the clients to call
     * @param requests builds the put, for its table
     * @param calls makes each call within the deadline
     * @param errors maps failures
     */
    public ConditionalPuts(DynamoDbClients clients, Requests requests, SdkCalls calls, DynamoDbErrors errors) {
        this.client = clients.sync();
        this.asyncClient = clients.async();
        this.requests = requests;
        this.calls = calls;
        this.errors = errors;
    }

    /**
     * Puts the entry when the condition holds.
     *
     * @return {@code null} when it wrote, else the item in the way (empty when not returned)
     * @throws io.cachekit.CacheBackendException on any other failure, a timeout included, mapped for {@code
     *     operation}
     */
    public Map<String, AttributeValue> putIfWritable(
            String operation, String pk, byte[] value, long generation, Duration ttl, Instant now, long deadline) {
        AwsRequestOverrideConfiguration o = calls.until(operation, deadline);
        try {
            client.putItem(requests.conditionalPut(pk, value, generation, ttl, now, o));
            return null;
        } catch (ConditionalCheckFailedException e) {
            return itemInTheWay(e);
        } catch (RuntimeException e) {
            throw errors.map(operation, e);
        }
    }

    /**
     * {@link #putIfWritable} on the async client; never throws. Other failures are left unmapped, for {@link
     * SdkCalls#mapErrors}.
     */
    public CompletableFuture<Map<String, AttributeValue>> putIfWritableAsync(
            String operation, String pk, byte[] value, long generation, Duration ttl, Instant now, long deadline) {
        return calls.callAsync(
                        operation,
                        deadline,
                        o -> asyncClient.putItem(requests.conditionalPut(pk, value, generation, ttl, now, o)))
                .handle((response, error) -> {
                    if (error == null) {
                        return null;
                    }
                    Throwable cause =
                            error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    if (cause instanceof ConditionalCheckFailedException failed) {
                        return itemInTheWay(failed);
                    }
                    throw error instanceof CompletionException completion ? completion : new CompletionException(error);
                });
    }

    private static Map<String, AttributeValue> itemInTheWay(ConditionalCheckFailedException e) {
        return e.hasItem() ? e.item() : Map.of();
    }
}
