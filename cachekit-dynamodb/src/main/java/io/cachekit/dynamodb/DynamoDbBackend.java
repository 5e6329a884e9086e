package io.cachekit.dynamodb;

import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.dynamodb.internal.Batches;
import io.cachekit.dynamodb.internal.DynamoDbErrors;
import io.cachekit.dynamodb.internal.Generations;
import io.cachekit.dynamodb.internal.ItemLayout;
import io.cachekit.dynamodb.internal.TableSetup;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.spi.Ttls;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClientBuilder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The DynamoDB backend, on the AWS SDK v2: {@link DynamoDbClient} for the sync operations, {@link
 * DynamoDbAsyncClient} for the async ones.
 *
 * <h2>Storage</h2>
 *
 * One table with the string partition key {@code pk} holds every namespace (see {@link ItemLayout}). An
 * entry's key is {@code namespace:key}, or {@code namespace#<SHA-256>} for keys that are not printable or do
 * not fit the 2048-byte partition-key limit, so a busy namespace is spread over as many partition keys as it
 * has entries. Each namespace also has {@value ItemLayout#GENERATION_SHARDS} generation items; an entry is
 * live only when it carries the current generation of its shard and its expiry has not passed on the
 * context's clock.
 *
 * <ul>
 *   <li>{@link #get} is one {@code BatchGetItem} (strongly consistent) of the entry and its generation item.
 *   <li>{@link #set} is one {@code PutItem} tagged with the generation this process read in the last second
 *       (or one {@code BatchGetItem} of it first). An item over DynamoDB's 400 KB limit fails with {@link
 *       io.cachekit.CacheValueTooLargeException} before anything is sent.
 *   <li>{@link #setIfAbsent} is one {@code BatchGetItem} (strongly consistent) of the entry and its generation
 *       item, which answers at once when the entry is live; otherwise one {@code PutItem} with a condition
 *       ({@link ItemLayout#WRITABLE_CONDITION}) that lets it replace only an absent, expired or older-generation
 *       entry. DynamoDB evaluates the condition atomically, so of concurrent callers in every process exactly
 *       one writes; the others get the winner's bytes ({@code ReturnValuesOnConditionCheckFailure=ALL_OLD}, or
 *       a consistent read where the endpoint does not return them).
 *   <li>{@link #clear} is one {@code UpdateItem ADD g 1} per generation item: no Scan, no Query, whatever the
 *       namespace holds. Entries of older generations are never read again and go by DynamoDB's TTL.
 *   <li>{@link #getMany} is {@code BatchGetItem} calls of at most 100 items (the generation items included),
 *       {@link #setMany} {@code BatchWriteItem} calls of at most 25; unprocessed items are sent again with
 *       exponential backoff until the operation timeout.
 * </ul>
 *
 * <h2>Timeouts and errors</h2>
 *
 * Every SDK call gets what is left of the context's operation timeout as its {@code apiCallTimeout} (the
 * SDK's retries, such as those for throttling, happen within it); an operation of several calls ends within
 * the timeout as a whole. A timeout fails with {@link io.cachekit.CacheTimeoutException}, any other failure
 * with {@link CacheBackendException} ({@link DynamoDbErrors} maps them). {@link #create} fails with {@link
 * io.cachekit.StoreUnreachableException} when the endpoint does not answer.
 *
 * <h2>Threads</h2>
 *
 * Thread-safe. The async methods never block the caller: they use the async client, and their futures
 * complete on the SDK's completion threads, so code chained on them must not block for long.
 */
public final class DynamoDbBackend implements CacheBackend {
    private static final Logger log = LoggerFactory.getLogger(DynamoDbBackend.class);

    /** How many batch requests of one async bulk operation are in flight at once. */
    private static final int ASYNC_BATCH_CONCURRENCY = 8;

    /** Attempts of one SDK call, the first included (the SDK's default for DynamoDB is 9). */
    static final int MAX_ATTEMPTS = 3;

    private static final AttributeValue ONE = AttributeValue.fromN("1");

    private static final String SET_IF_ABSENT = "setIfAbsent";

    private final DynamoDbBackendOptions options;
    private final String table;
    private final Clock clock;
    private final Duration timeout;
    private final long timeoutNanos;
    private final Duration maxItemAge;
    private final DynamoDbErrors errors;
    private final DynamoDbClient client;
    private final DynamoDbAsyncClient asyncClient;
    private final boolean ownsClients;
    private final AwsCredentialsProvider ownCredentials;
    private final Generations generations = new Generations();
    private final AtomicBoolean closed = new AtomicBoolean();

    private DynamoDbBackend(DynamoDbBackendOptions options, BackendContext context) {
        this.options = Objects.requireNonNull(options, "options");
        Objects.requireNonNull(context, "context");
        this.table = options.table();
        this.clock = context.clock();
        this.timeout = context.operationTimeout();
        this.timeoutNanos = timeout.toNanos();
        this.maxItemAge = options.maxItemAge();
        this.errors = new DynamoDbErrors(options.target(), timeout);
        if (options.client() != null) {
            this.client = options.client();
            this.asyncClient = options.asyncClient();
            this.ownsClients = false;
            this.ownCredentials = null;
        } else {
            this.ownsClients = true;
            this.ownCredentials = options.credentialsProvider() == null
                    ? DefaultCredentialsProvider.builder().build()
                    : null;
            AwsCredentialsProvider credentials =
                    ownCredentials != null ? ownCredentials : options.credentialsProvider();
            DynamoDbClient sync = null;
            try {
                sync = syncClient(options, credentials, timeout);
                this.client = sync;
                this.asyncClient = asyncClient(options, credentials, timeout);
            } catch (SdkClientException e) {
                if (sync != null) {
                    sync.close();
                }
                closeQuietly(ownCredentials);
                throw new CacheBackendException(
                        "dynamodb: cannot build the AWS SDK client for " + options.target()
                                + ": " + e.getMessage()
                                + (options.region() == null
                                        ? " (set the region option, e.g. dynamodb://table?region=us-east-1, or AWS_REGION)"
                                        : ""),
                        e);
            }
        }
    }

    /**
     * Creates the backend: checks the table (creating it when absent and {@link
     * DynamoDbBackendOptions#createTable()} allows, with TTL enabled), then serves operations.
     *
     * @throws io.cachekit.StoreUnreachableException when the endpoint cannot be reached or does not answer
     * @throws CacheBackendException when the table is missing and may not be created, has another key schema,
     *     or DynamoDB refuses the request (credentials, permissions)
     */
    public static DynamoDbBackend create(DynamoDbBackendOptions options, BackendContext context) {
        DynamoDbBackend backend = new DynamoDbBackend(options, context);
        try {
            new TableSetup(backend.client, options, backend.errors, backend.timeout).run();
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        log.debug("dynamodb backend ready on {}", options.target());
        return backend;
    }

    private static DynamoDbClient syncClient(
            DynamoDbBackendOptions options, AwsCredentialsProvider credentials, Duration timeout) {
        DynamoDbClientBuilder b = DynamoDbClient.builder()
                .credentialsProvider(credentials)
                .httpClientBuilder(Apache5HttpClient.builder()
                        .maxConnections(options.maxConnections())
                        .connectionTimeout(connectTimeout(timeout)))
                .overrideConfiguration(c -> clientConfiguration(c, timeout));
        if (options.region() != null) {
            b.region(options.region());
        }
        if (options.endpoint() != null) {
            b.endpointOverride(options.endpoint());
        }
        return b.build();
    }

    /**
     * The call timeout, and the SDK's own retry strategy for DynamoDB (its backoff, its throttling detection)
     * with at most {@value #MAX_ATTEMPTS} attempts: a cache gains nothing from retrying a refused connection
     * for seconds, and every call ends within the operation timeout anyway.
     */
    private static void clientConfiguration(ClientOverrideConfiguration.Builder c, Duration timeout) {
        c.apiCallTimeout(timeout).retryStrategy(b -> b.maxAttempts(MAX_ATTEMPTS));
    }

    private static DynamoDbAsyncClient asyncClient(
            DynamoDbBackendOptions options, AwsCredentialsProvider credentials, Duration timeout) {
        DynamoDbAsyncClientBuilder b = DynamoDbAsyncClient.builder()
                .credentialsProvider(credentials)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .maxConcurrency(options.maxConnections())
                        .connectionTimeout(connectTimeout(timeout)))
                .overrideConfiguration(c -> clientConfiguration(c, timeout));
        if (options.region() != null) {
            b.region(options.region());
        }
        if (options.endpoint() != null) {
            b.endpointOverride(options.endpoint());
        }
        return b.build();
    }

    private static Duration connectTimeout(Duration timeout) {
        Duration max = Duration.ofSeconds(10);
        return timeout.compareTo(max) > 0 ? max : timeout;
    }

    /** {@code dynamodb}. */
    @Override
    public String name() {
        return "dynamodb";
    }

    /** The options this backend was created with. */
    public DynamoDbBackendOptions options() {
        return options;
    }

    // ---------------------------------------------------------------- sync

    @Override
    public byte[] get(String namespace, String key) {
        String pk = ItemLayout.entryKey(namespace, key);
        String gk = ItemLayout.generationKeyOf(namespace, pk);
        checkOpen("get");
        Map<String, Map<String, AttributeValue>> items = batchGet("get", List.of(gk, pk), deadline());
        long generation = learn(gk, items);
        return ItemLayout.liveValue(items.get(pk), generation, clock.millis());
    }

    @Override
    public void set(String namespace, String key, byte[] value, Duration ttl) {
        String pk = ItemLayout.entryKey(namespace, key);
        Objects.requireNonNull(value, "value");
        Ttls.check(ttl);
        checkOpen("set");
        checkSize("set", pk, value.length);
        long deadline = deadline();
        String gk = ItemLayout.generationKeyOf(namespace, pk);
        long generation = generations.fresh(gk);
        if (generation < 0) {
            generation = learn(gk, batchGet("set", List.of(gk), deadline));
        }
        Map<String, AttributeValue> item = ItemLayout.entryItem(pk, value, generation, ttl, now(), maxItemAge);
        call("set", deadline, o -> client.putItem(putRequest(item, o)));
    }

    @Override
    public void delete(String namespace, String key) {
        String pk = ItemLayout.entryKey(namespace, key);
        checkOpen("delete");
        call("delete", deadline(), o -> client.deleteItem(deleteRequest(pk, o)));
    }

    /**
     * Writes only over a dead entry, atomically; see the class comment. The generation is read with the entry
     * in every call (never the one remembered for writes), so a clear by another process is never missed: an
     * entry of a generation it has passed is replaced, and a write racing it is either before it or tagged
     * with the older generation.
     */
    @Override
    public byte[] setIfAbsent(String namespace, String key, byte[] value, Duration ttl) {
        String pk = ItemLayout.entryKey(namespace, key);
        Objects.requireNonNull(value, "value");
        Ttls.check(ttl);
        checkOpen(SET_IF_ABSENT);
        checkSize(SET_IF_ABSENT, pk, value.length);
        String gk = ItemLayout.generationKeyOf(namespace, pk);
        long deadline = deadline();
        while (true) {
            Map<String, Map<String, AttributeValue>> items = batchGet(SET_IF_ABSENT, List.of(gk, pk), deadline);
            long generation = learn(gk, items);
            Instant now = now();
            byte[] existing = ItemLayout.blockingValue(items.get(pk), generation, now.toEpochMilli());
            if (existing != null) {
                return existing;
            }
            Map<String, AttributeValue> blocker = putIfWritable(pk, value, generation, ttl, now, deadline);
            if (blocker == null) {
                return null;
            }
            existing = ItemLayout.blockingValue(blocker, generation, now.toEpochMilli());
            if (existing != null) {
                return existing;
            }
            // The endpoint did not return the item in the way (dynalite does not): read it again. Another
            // round only follows when another writer won and its entry has died since; the deadline bounds it.
        }
    }

    /** The conditional put: {@code null} when it wrote, else the item in the way (empty when not returned). */
    private Map<String, AttributeValue> putIfWritable(
            String pk, byte[] value, long generation, Duration ttl, Instant now, long deadline) {
        AwsRequestOverrideConfiguration o = overrideUntil(SET_IF_ABSENT, deadline);
        try {
            client.putItem(conditionalPutRequest(pk, value, generation, ttl, now, o));
            return null;
        } catch (ConditionalCheckFailedException e) {
            return itemInTheWay(e);
        } catch (RuntimeException e) {
            throw errors.map(SET_IF_ABSENT, e);
        }
    }

    private static Map<String, AttributeValue> itemInTheWay(ConditionalCheckFailedException e) {
        return e.hasItem() ? e.item() : Map.of();
    }

    @Override
    public void clear(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        checkOpen("clear");
        long deadline = deadline();
        for (int shard = 0; shard < ItemLayout.GENERATION_SHARDS; shard++) {
            String gk = ItemLayout.generationKey(namespace, shard);
            UpdateItemResponse response = call("clear", deadline, o -> client.updateItem(incrementRequest(gk, o)));
            learnIncremented(gk, response);
        }
    }

    @Override
    public Map<String, byte[]> getMany(String namespace, Collection<String> keys) {
        Objects.requireNonNull(namespace, "namespace");
        checkOpen("getMany");
        if (keys.isEmpty()) {
            return new HashMap<>();
        }
        ManyKeys many = ManyKeys.of(namespace, keys);
        Map<String, Map<String, AttributeValue>> items = batchGet("getMany", many.all(), deadline());
        return many.liveValues(items, this);
    }

    @Override
    public void setMany(String namespace, Map<String, byte[]> entries, Duration ttl) {
        Objects.requireNonNull(namespace, "namespace");
        Ttls.check(ttl);
        checkOpen("setMany");
        if (entries.isEmpty()) {
            return;
        }
        Map<String, byte[]> byPk = entryKeys(namespace, entries, "setMany");
        long deadline = deadline();
        Set<String> gks = generationKeys(namespace, byPk.keySet());
        Map<String, Long> known = knownGenerations(gks);
        if (known.size() < gks.size()) {
            List<String> missing =
                    gks.stream().filter(gk -> !known.containsKey(gk)).toList();
            Map<String, Map<String, AttributeValue>> read = batchGet("setMany", missing, deadline);
            for (String gk : missing) {
                known.put(gk, learn(gk, read));
            }
        }
        for (List<WriteRequest> chunk : writeRequests(namespace, byPk, known, ttl)) {
            batchWrite("setMany", chunk, deadline);
        }
    }

    // ---------------------------------------------------------------- async

    @Override
    public CompletableFuture<byte[]> getAsync(String namespace, String key) {
        String pk = ItemLayout.entryKey(namespace, key);
        String gk = ItemLayout.generationKeyOf(namespace, pk);
        if (closed.get()) {
            return CompletableFuture.failedFuture(errors.closed("get"));
        }
        return mapErrors(
                "get", batchGetAsync("get", List.of(gk, pk), deadline()).thenApply(items -> {
                    long generation = learn(gk, items);
                    return ItemLayout.liveValue(items.get(pk), generation, clock.millis());
                }));
    }

    @Override
    public CompletableFuture<Void> setAsync(String namespace, String key, byte[] value, Duration ttl) {
        String pk = ItemLayout.entryKey(namespace, key);
        Objects.requireNonNull(value, "value");
        try {
            Ttls.check(ttl);
            checkOpen("set");
            checkSize("set", pk, value.length);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        long deadline = deadline();
        String gk = ItemLayout.generationKeyOf(namespace, pk);
        long fresh = generations.fresh(gk);
        CompletableFuture<Long> generation = fresh >= 0
                ? CompletableFuture.completedFuture(fresh)
                : batchGetAsync("set", List.of(gk), deadline).thenApply(items -> learn(gk, items));
        return mapErrors(
                "set",
                generation
                        .thenCompose(g -> {
                            Map<String, AttributeValue> item =
                                    ItemLayout.entryItem(pk, value, g, ttl, now(), maxItemAge);
                            return callAsync("set", deadline, o -> asyncClient.putItem(putRequest(item, o)));
                        })
                        .thenApply(response -> null));
    }

    @Override
    public CompletableFuture<Void> deleteAsync(String namespace, String key) {
        String pk = ItemLayout.entryKey(namespace, key);
        if (closed.get()) {
            return CompletableFuture.failedFuture(errors.closed("delete"));
        }
        return mapErrors(
                "delete",
                callAsync("delete", deadline(), o -> asyncClient.deleteItem(deleteRequest(pk, o)))
                        .thenApply(response -> null));
    }

    /** {@link #setIfAbsent} on the async client: the same requests, chained; never blocks. */
    @Override
    public CompletableFuture<byte[]> setIfAbsentAsync(String namespace, String key, byte[] value, Duration ttl) {
        String pk = ItemLayout.entryKey(namespace, key);
        Objects.requireNonNull(value, "value");
        try {
            Ttls.check(ttl);
            checkOpen(SET_IF_ABSENT);
            checkSize(SET_IF_ABSENT, pk, value.length);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        String gk = ItemLayout.generationKeyOf(namespace, pk);
        return mapErrors(SET_IF_ABSENT, setIfAbsentRound(pk, gk, value, ttl, deadline()));
    }

    private CompletableFuture<byte[]> setIfAbsentRound(
            String pk, String gk, byte[] value, Duration ttl, long deadline) {
        return batchGetAsync(SET_IF_ABSENT, List.of(gk, pk), deadline).thenCompose(items -> {
            long generation = learn(gk, items);
            Instant now = now();
            byte[] existing = ItemLayout.blockingValue(items.get(pk), generation, now.toEpochMilli());
            if (existing != null) {
                return CompletableFuture.completedFuture(existing);
            }
            return putIfWritableAsync(pk, value, generation, ttl, now, deadline).thenCompose(blocker -> {
                if (blocker == null) {
                    return CompletableFuture.completedFuture(null);
                }
                byte[] inTheWay = ItemLayout.blockingValue(blocker, generation, now.toEpochMilli());
                return inTheWay != null
                        ? CompletableFuture.completedFuture(inTheWay)
                        : setIfAbsentRound(pk, gk, value, ttl, deadline);
            });
        });
    }

    /** {@link #putIfWritable} on the async client; other failures are left for {@link #mapErrors}. */
    private CompletableFuture<Map<String, AttributeValue>> putIfWritableAsync(
            String pk, byte[] value, long generation, Duration ttl, Instant now, long deadline) {
        return callAsync(
                        SET_IF_ABSENT,
                        deadline,
                        o -> asyncClient.putItem(conditionalPutRequest(pk, value, generation, ttl, now, o)))
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

    @Override
    public CompletableFuture<Void> clearAsync(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        if (closed.get()) {
            return CompletableFuture.failedFuture(errors.closed("clear"));
        }
        long deadline = deadline();
        CompletableFuture<?>[] updates = new CompletableFuture<?>[ItemLayout.GENERATION_SHARDS];
        for (int shard = 0; shard < ItemLayout.GENERATION_SHARDS; shard++) {
            String gk = ItemLayout.generationKey(namespace, shard);
            updates[shard] = callAsync("clear", deadline, o -> asyncClient.updateItem(incrementRequest(gk, o)))
                    .thenAccept(response -> learnIncremented(gk, response));
        }
        return mapErrors("clear", CompletableFuture.allOf(updates));
    }

    @Override
    public CompletableFuture<Map<String, byte[]>> getManyAsync(String namespace, Collection<String> keys) {
        Objects.requireNonNull(namespace, "namespace");
        if (closed.get()) {
            return CompletableFuture.failedFuture(errors.closed("getMany"));
        }
        if (keys.isEmpty()) {
            return CompletableFuture.completedFuture(new HashMap<>());
        }
        ManyKeys many = ManyKeys.of(namespace, keys);
        return mapErrors(
                "getMany",
                batchGetAsync("getMany", many.all(), deadline()).thenApply(items -> many.liveValues(items, this)));
    }

    @Override
    public CompletableFuture<Void> setManyAsync(String namespace, Map<String, byte[]> entries, Duration ttl) {
        Objects.requireNonNull(namespace, "namespace");
        Map<String, byte[]> byPk;
        try {
            Ttls.check(ttl);
            checkOpen("setMany");
            byPk = entryKeys(namespace, entries, "setMany");
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (byPk.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        long deadline = deadline();
        Set<String> gks = generationKeys(namespace, byPk.keySet());
        Map<String, Long> known = knownGenerations(gks);
        List<String> missing = gks.stream().filter(gk -> !known.containsKey(gk)).toList();
        CompletableFuture<Map<String, Long>> generationsRead = missing.isEmpty()
                ? CompletableFuture.completedFuture(known)
                : batchGetAsync("setMany", missing, deadline).thenApply(read -> {
                    for (String gk : missing) {
                        known.put(gk, learn(gk, read));
                    }
                    return known;
                });
        return mapErrors(
                "setMany",
                generationsRead.thenCompose(gens -> Batches.forEach(
                        writeRequests(namespace, byPk, gens, ttl),
                        ASYNC_BATCH_CONCURRENCY,
                        chunk -> batchWriteAsync("setMany", chunk, deadline, 0))));
    }

    // ---------------------------------------------------------------- batches

    private Map<String, Map<String, AttributeValue>> batchGet(String operation, List<String> pks, long deadline) {
        Map<String, Map<String, AttributeValue>> found = new HashMap<>();
        for (List<String> chunk : Batches.chunks(pks, ItemLayout.MAX_BATCH_GET)) {
            KeysAndAttributes pending =
                    keysToRead(chunk.stream().map(ItemLayout::key).toList());
            for (int attempt = 0; ; attempt++) {
                KeysAndAttributes request = pending;
                BatchGetItemResponse response;
                try {
                    response = call(operation, deadline, o -> client.batchGetItem(batchGetRequest(request, o)));
                } catch (CacheTimeoutException e) {
                    throw attempt == 0
                            ? e
                            : stillUnprocessed(
                                    operation, unprocessedReads(request.keys().size()), e);
                }
                collect(response, found);
                KeysAndAttributes left = response.unprocessedKeys().get(table);
                if (left == null || left.keys().isEmpty()) {
                    break;
                }
                pending = keysToRead(left.keys());
                Batches.pause(
                        attempt,
                        deadline,
                        () -> errors.timeout(
                                operation, unprocessedReads(left.keys().size())));
            }
        }
        return found;
    }

    private CompletableFuture<Map<String, Map<String, AttributeValue>>> batchGetAsync(
            String operation, List<String> pks, long deadline) {
        Map<String, Map<String, AttributeValue>> found = new ConcurrentHashMap<>();
        List<List<String>> chunks = Batches.chunks(pks, ItemLayout.MAX_BATCH_GET);
        if (chunks.size() == 1) {
            return batchGetChunkAsync(operation, keysToRead(ItemLayout.keys(chunks.get(0))), deadline, found, 0)
                    .thenApply(v -> found);
        }
        return Batches.forEach(
                        chunks,
                        ASYNC_BATCH_CONCURRENCY,
                        chunk -> batchGetChunkAsync(operation, keysToRead(ItemLayout.keys(chunk)), deadline, found, 0))
                .thenApply(v -> found);
    }

    private CompletableFuture<Void> batchGetChunkAsync(
            String operation,
            KeysAndAttributes pending,
            long deadline,
            Map<String, Map<String, AttributeValue>> found,
            int attempt) {
        return resent(
                        callAsync(operation, deadline, o -> asyncClient.batchGetItem(batchGetRequest(pending, o))),
                        attempt,
                        operation,
                        unprocessedReads(pending.keys().size()))
                .thenCompose(response -> {
                    collect(response, found);
                    KeysAndAttributes left = response.unprocessedKeys().get(table);
                    if (left == null || left.keys().isEmpty()) {
                        return CompletableFuture.completedFuture(null);
                    }
                    return Batches.later(
                                    attempt,
                                    deadline,
                                    () -> errors.timeout(
                                            operation,
                                            unprocessedReads(left.keys().size())))
                            .thenCompose(v -> batchGetChunkAsync(
                                    operation, keysToRead(left.keys()), deadline, found, attempt + 1));
                });
    }

    private void batchWrite(String operation, List<WriteRequest> chunk, long deadline) {
        List<WriteRequest> pending = chunk;
        for (int attempt = 0; ; attempt++) {
            List<WriteRequest> request = pending;
            BatchWriteItemResponse response;
            try {
                response = call(operation, deadline, o -> client.batchWriteItem(batchWriteRequest(request, o)));
            } catch (CacheTimeoutException e) {
                throw attempt == 0 ? e : stillUnprocessed(operation, unprocessedWrites(request.size()), e);
            }
            List<WriteRequest> left = response.unprocessedItems().get(table);
            if (left == null || left.isEmpty()) {
                return;
            }
            pending = left;
            Batches.pause(attempt, deadline, () -> errors.timeout(operation, unprocessedWrites(left.size())));
        }
    }

    private CompletableFuture<Void> batchWriteAsync(
            String operation, List<WriteRequest> pending, long deadline, int attempt) {
        return resent(
                        callAsync(operation, deadline, o -> asyncClient.batchWriteItem(batchWriteRequest(pending, o))),
                        attempt,
                        operation,
                        unprocessedWrites(pending.size()))
                .thenCompose(response -> {
                    List<WriteRequest> left = response.unprocessedItems().get(table);
                    if (left == null || left.isEmpty()) {
                        return CompletableFuture.completedFuture(null);
                    }
                    return Batches.later(
                                    attempt, deadline, () -> errors.timeout(operation, unprocessedWrites(left.size())))
                            .thenCompose(v -> batchWriteAsync(operation, left, deadline, attempt + 1));
                });
    }

    private static String unprocessedReads(int items) {
        return items + " items stayed unprocessed (throttled or over the response size limit)";
    }

    private static String unprocessedWrites(int items) {
        return items + " items stayed unprocessed";
    }

    /**
     * The failure of a request that sent unprocessed items again: a timeout names them (as the pause before it
     * does), whether the deadline fell in the pause or in the request; any other failure as {@link
     * DynamoDbErrors#map}.
     */
    private CacheBackendException stillUnprocessed(String operation, String detail, Throwable error) {
        CacheBackendException mapped = errors.map(operation, error);
        if (!(mapped instanceof CacheTimeoutException)) {
            return mapped;
        }
        CacheTimeoutException timeout = errors.timeout(operation, detail);
        timeout.initCause(mapped);
        return timeout;
    }

    /** {@link #stillUnprocessed} for the async request of send number {@code attempt + 1}. */
    private <T> CompletableFuture<T> resent(
            CompletableFuture<T> request, int attempt, String operation, String detail) {
        if (attempt == 0) {
            return request;
        }
        return request.exceptionallyCompose(
                e -> CompletableFuture.failedFuture(stillUnprocessed(operation, detail, e)));
    }

    private void collect(BatchGetItemResponse response, Map<String, Map<String, AttributeValue>> found) {
        List<Map<String, AttributeValue>> items = response.responses().get(table);
        if (items == null) {
            return;
        }
        for (Map<String, AttributeValue> item : items) {
            AttributeValue pk = item.get(ItemLayout.PK);
            if (pk != null && pk.s() != null) {
                found.put(pk.s(), item);
            }
        }
    }

    // ---------------------------------------------------------------- requests

    private static KeysAndAttributes keysToRead(List<Map<String, AttributeValue>> keys) {
        return KeysAndAttributes.builder().keys(keys).consistentRead(true).build();
    }

    private BatchGetItemRequest batchGetRequest(KeysAndAttributes keys, AwsRequestOverrideConfiguration o) {
        return BatchGetItemRequest.builder()
                .requestItems(Map.of(table, keys))
                .overrideConfiguration(o)
                .build();
    }

    private BatchWriteItemRequest batchWriteRequest(List<WriteRequest> writes, AwsRequestOverrideConfiguration o) {
        return BatchWriteItemRequest.builder()
                .requestItems(Map.of(table, writes))
                .overrideConfiguration(o)
                .build();
    }

    private PutItemRequest putRequest(Map<String, AttributeValue> item, AwsRequestOverrideConfiguration o) {
        return PutItemRequest.builder()
                .tableName(table)
                .item(item)
                .overrideConfiguration(o)
                .build();
    }

    private PutItemRequest conditionalPutRequest(
            String pk, byte[] value, long generation, Duration ttl, Instant now, AwsRequestOverrideConfiguration o) {
        return PutItemRequest.builder()
                .tableName(table)
                .item(ItemLayout.entryItem(pk, value, generation, ttl, now, maxItemAge))
                .conditionExpression(ItemLayout.WRITABLE_CONDITION)
                .expressionAttributeNames(ItemLayout.WRITABLE_CONDITION_NAMES)
                .expressionAttributeValues(ItemLayout.writableConditionValues(generation, now.toEpochMilli()))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .overrideConfiguration(o)
                .build();
    }

    private DeleteItemRequest deleteRequest(String pk, AwsRequestOverrideConfiguration o) {
        return DeleteItemRequest.builder()
                .tableName(table)
                .key(ItemLayout.key(pk))
                .overrideConfiguration(o)
                .build();
    }

    private UpdateItemRequest incrementRequest(String generationKey, AwsRequestOverrideConfiguration o) {
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

    private List<List<WriteRequest>> writeRequests(
            String namespace, Map<String, byte[]> byPk, Map<String, Long> generationsByKey, Duration ttl) {
        Instant now = now();
        List<WriteRequest> writes = new ArrayList<>(byPk.size());
        byPk.forEach((pk, value) -> {
            long generation = generationsByKey.get(ItemLayout.generationKeyOf(namespace, pk));
            Map<String, AttributeValue> item = ItemLayout.entryItem(pk, value, generation, ttl, now, maxItemAge);
            writes.add(WriteRequest.builder()
                    .putRequest(PutRequest.builder().item(item).build())
                    .build());
        });
        return Batches.chunks(writes, ItemLayout.MAX_BATCH_WRITE);
    }

    // ---------------------------------------------------------------- helpers

    /** Calls the SDK with what is left of the deadline as its call timeout; maps failures. */
    private <T> T call(String operation, long deadline, Function<AwsRequestOverrideConfiguration, T> request) {
        AwsRequestOverrideConfiguration o = overrideUntil(operation, deadline);
        try {
            return request.apply(o);
        } catch (RuntimeException e) {
            throw errors.map(operation, e);
        }
    }

    /** {@link #call} for the async client; failures are mapped by {@link #mapErrors} at the end. */
    private <T> CompletableFuture<T> callAsync(
            String operation, long deadline, Function<AwsRequestOverrideConfiguration, CompletableFuture<T>> request) {
        try {
            return request.apply(overrideUntil(operation, deadline));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private <T> CompletableFuture<T> mapErrors(String operation, CompletableFuture<T> future) {
        return future.exceptionallyCompose(e -> CompletableFuture.failedFuture(errors.map(operation, e)));
    }

    private AwsRequestOverrideConfiguration overrideUntil(String operation, long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw errors.timeout(operation, "no time left for its next request");
        }
        return AwsRequestOverrideConfiguration.builder()
                .apiCallTimeout(Duration.ofNanos(left))
                .build();
    }

    private long deadline() {
        return System.nanoTime() + timeoutNanos;
    }

    private Instant now() {
        return clock.instant();
    }

    private void checkOpen(String operation) {
        if (closed.get()) {
            throw errors.closed(operation);
        }
    }

    private void checkSize(String operation, String pk, int valueBytes) {
        long size = ItemLayout.entryItemSize(pk, valueBytes);
        if (size > ItemLayout.MAX_ITEM_BYTES) {
            throw errors.tooLarge(operation, valueBytes, size);
        }
    }

    /** Each entry under its partition key, every size checked before anything is written. */
    private Map<String, byte[]> entryKeys(String namespace, Map<String, byte[]> entries, String operation) {
        Map<String, byte[]> byPk = new LinkedHashMap<>(entries.size() * 2);
        entries.forEach((key, value) -> {
            Objects.requireNonNull(value, "value");
            String pk = ItemLayout.entryKey(namespace, key);
            checkSize(operation, pk, value.length);
            byPk.put(pk, value);
        });
        return byPk;
    }

    private static Set<String> generationKeys(String namespace, Collection<String> pks) {
        Set<String> gks = new LinkedHashSet<>();
        for (String pk : pks) {
            gks.add(ItemLayout.generationKeyOf(namespace, pk));
        }
        return gks;
    }

    private Map<String, Long> knownGenerations(Set<String> gks) {
        Map<String, Long> known = new ConcurrentHashMap<>();
        for (String gk : gks) {
            long g = generations.fresh(gk);
            if (g >= 0) {
                known.put(gk, g);
            }
        }
        return known;
    }

    /** The generation that {@code items} hold for {@code gk} (0 when absent), remembered for writes. */
    long learn(String gk, Map<String, Map<String, AttributeValue>> items) {
        long generation = ItemLayout.generationOf(items.get(gk));
        generations.learn(gk, generation);
        return generation;
    }

    long nowMillis() {
        return clock.millis();
    }

    private void learnIncremented(String gk, UpdateItemResponse response) {
        AttributeValue g =
                response.attributes() == null ? null : response.attributes().get(ItemLayout.GENERATION);
        if (g != null && g.n() != null) {
            generations.learn(gk, Long.parseLong(g.n()));
        }
    }

    /** The keys of a bulk read: each key's partition key and the generation items they depend on. */
    private record ManyKeys(String namespace, Map<String, String> keyByPk, Set<String> generationKeys) {
        static ManyKeys of(String namespace, Collection<String> keys) {
            Map<String, String> keyByPk = new LinkedHashMap<>(keys.size() * 2);
            for (String key : keys) {
                keyByPk.put(ItemLayout.entryKey(namespace, key), key);
            }
            return new ManyKeys(namespace, keyByPk, DynamoDbBackend.generationKeys(namespace, keyByPk.keySet()));
        }

        /** The generation items first, so a bulk read of up to 100 - 8 keys is one request. */
        List<String> all() {
            List<String> all = new ArrayList<>(generationKeys.size() + keyByPk.size());
            all.addAll(generationKeys);
            all.addAll(keyByPk.keySet());
            return all;
        }

        Map<String, byte[]> liveValues(Map<String, Map<String, AttributeValue>> items, DynamoDbBackend backend) {
            Map<String, Long> generationByKey = new HashMap<>();
            for (String gk : generationKeys) {
                generationByKey.put(gk, backend.learn(gk, items));
            }
            long now = backend.nowMillis();
            Map<String, byte[]> found = new HashMap<>();
            keyByPk.forEach((pk, key) -> {
                long generation = generationByKey.get(ItemLayout.generationKeyOf(namespace, pk));
                byte[] value = ItemLayout.liveValue(items.get(pk), generation, now);
                if (value != null) {
                    found.put(key, value);
                }
            });
            return found;
        }
    }

    /**
     * The sync client for {@code DynamoDbClient.class}, the async one for {@code DynamoDbAsyncClient.class},
     * the options for {@code DynamoDbBackendOptions.class}.
     */
    @Override
    public <T> T unwrap(Class<T> type) {
        if (type.isInstance(client)) {
            return type.cast(client);
        }
        if (type.isInstance(asyncClient)) {
            return type.cast(asyncClient);
        }
        if (type.isInstance(options)) {
            return type.cast(options);
        }
        return CacheBackend.super.unwrap(type);
    }

    /** Closes the clients the backend built (never the application's). Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (ownsClients) {
            closeQuietly(client);
            closeQuietly(asyncClient);
            closeQuietly(ownCredentials);
        }
    }

    private static void closeQuietly(Object resource) {
        if (resource instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                log.debug("closing {} failed", resource.getClass().getSimpleName(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "DynamoDbBackend{" + options.target() + "}";
    }
}
