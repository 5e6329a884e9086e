package io.cachekit.dynamodb.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The SDK requests of the backend's operations on its one table, items laid out by {@link ItemLayout}. Each
 * request takes the override configuration of its call (the call timeout, see {@link SdkCalls#until}).
 *
 * <p>Not API; immutable and thread-safe. Arguments are never null.
 */
public final class Requests {
    private static final AttributeValue ONE = AttributeValue.fromN("1");

    private final String table;
    private final Duration maxItemAge;

    /**
     * @param table the table's name
     * @param maxItemAge the longest time an entry is kept (see {@link ItemLayout#entryItem})
     */
    public Requests(String table, Duration maxItemAge) {
        this.table = table;
        this.maxItemAge = maxItemAge;
    }

    /** The table's name. */
    String table() {
        return table;
    }

    /** The item of an entry of {@code generation} written at {@code now}, as {@link ItemLayout#entryItem}. */
    public Map<String, AttributeValue> entryItem(String pk, byte[] value, long generation, Duration ttl, Instant now) {
        return ItemLayout.entryItem(pk, value, generation, ttl, now, maxItemAge);
    }

    /** A {@code PutItem} of {@code item}, unconditional. */
    public PutItemRequest put(Map<String, AttributeValue> item, AwsRequestOverrideConfiguration o) {
        return PutItemRequest.builder()
                .tableName(table)
                .item(item)
                .overrideConfiguration(o)
                .build();
    }

    /**
     * A {@code PutItem} of an entry that only replaces an absent, expired or older-generation one ({@link
     * ItemLayout#WRITABLE_CONDITION}); when the condition fails, DynamoDB returns the item in the way.
     */
    public PutItemRequest conditionalPut(
            String pk, byte[] value, long generation, Duration ttl, Instant now, AwsRequestOverrideConfiguration o) {
        return PutItemRequest.builder()
                .tableName(table)
                .item(entryItem(pk, value, generation, ttl, now))
                .conditionExpression(ItemLayout.WRITABLE_CONDITION)
                .expressionAttributeNames(ItemLayout.WRITABLE_CONDITION_NAMES)
                .expressionAttributeValues(ItemLayout.writableConditionValues(generation, now.toEpochMilli()))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .overrideConfiguration(o)
                .build();
    }

    /** A strongly consistent {@code GetItem} of the item under {@code pk}. */
    public GetItemRequest get(String pk, AwsRequestOverrideConfiguration o) {
        return GetItemRequest.builder()
                .tableName(table)
                .key(ItemLayout.key(pk))
                .consistentRead(true)
                .overrideConfiguration(o)
                .build();
    }

    /** A {@code DeleteItem} of the item under {@code pk}. */
    public DeleteItemRequest delete(String pk, AwsRequestOverrideConfiguration o) {
        return DeleteItemRequest.builder()
                .tableName(table)
                .key(ItemLayout.key(pk))
                .overrideConfiguration(o)
                .build();
    }

    /** An {@code UpdateItem ADD g 1} of a generation item, returning the new generation. */
    public UpdateItemRequest increment(String generationKey, AwsRequestOverrideConfiguration o) {
        return UpdateItemRequest.builder()
                .tableName(table)
                .key(ItemLayout.key(generationKey))
                .updateExpression("ADD #g :one")
                .expressionAttributeNames(Map.of("#g", ItemLayout.GENERATION))
                .expressionAttributeValues(Map.of(":one", ONE))
                .returnValues(ReturnValue.UPDATED_NEW)
                .overrideConfiguration(o)
                .build();
    }

    /**
     * The puts of a bulk write, for {@code BatchWriteItem}: each entry of {@code byPk} tagged with the
     * generation {@code generationsByKey} holds for its generation item.
     */
    public List<WriteRequest> puts(
            String namespace, Map<String, byte[]> byPk, Map<String, Long> generationsByKey, Duration ttl, Instant now) {
        List<WriteRequest> writes = new ArrayList<>(byPk.size());
        byPk.forEach((pk, value) -> {
            long generation = generationsByKey.get(ItemLayout.generationKeyOf(namespace, pk));
            Map<String, AttributeValue> item = entryItem(pk, value, generation, ttl, now);
            writes.add(WriteRequest.builder()
                    .putRequest(PutRequest.builder().item(item).build())
                    .build());
        });
        return writes;
    }

    /** Strongly consistent reads of {@code keys}. */
    static KeysAndAttributes keysToRead(List<Map<String, AttributeValue>> keys) {
        return KeysAndAttributes.builder().keys(keys).consistentRead(true).build();
    }

    BatchGetItemRequest batchGet(KeysAndAttributes keys, AwsRequestOverrideConfiguration o) {
        return BatchGetItemRequest.builder()
                .requestItems(Map.of(table, keys))
                .overrideConfiguration(o)
                .build();
    }

    BatchWriteItemRequest batchWrite(List<WriteRequest> writes, AwsRequestOverrideConfiguration o) {
        return BatchWriteItemRequest.builder()
                .requestItems(Map.of(table, writes))
                .overrideConfiguration(o)
                .build();
    }
}
