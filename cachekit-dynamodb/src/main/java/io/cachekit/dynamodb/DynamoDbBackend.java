package io.cachekit.dynamodb;

import io.cachekit.CacheBackendException;
import io.cachekit.dynamodb.internal.BatchCalls;
import io.cachekit.dynamodb.internal.ConditionalPuts;
import io.cachekit.dynamodb.internal.DynamoDbClients;
import io.cachekit.dynamodb.internal.DynamoDbErrors;
import io.cachekit.dynamodb.internal.EntryReads;
import io.cachekit.dynamodb.internal.Generations;
import io.cachekit.dynamodb.internal.ItemLayout;
import io.cachekit.dynamodb.internal.ManyKeys;
import io.cachekit.dynamodb.internal.NamespaceClears;
import io.cachekit.dynamodb.internal.Requests;
import io.cachekit.dynamodb.internal.SdkCalls;
import io.cachekit.dynamodb.internal.TableSetup;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.spi.Ttls;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

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
 *   <li>{@link #get} is one {@code GetItem} of the entry (strongly consistent) while this process knows its
 *       shard's generation from a read in the last {@link DynamoDbBackendOptions#generationReuse()} (one
 *       second by default); otherwise, or when the entry is of a newer generation, one {@code BatchGetItem}
 *       (strongly consistent) of the entry and its generation item ({@link EntryReads}).
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
 *       namespace holds; then it waits the generation reuse time, after which no process reads with a
 *       generation from before the updates. Entries of older generations are never read again and go by
 *       DynamoDB's TTL.
 *   <li>{@link #getMany} is {@code BatchGetItem} calls of at most 100 items (the generation items included),
 *       {@link #setMany} {@code BatchWriteItem} calls of at most 25; unprocessed items are sent again with
 *       exponential backoff until the operation timeout.
 * </ul>
 *
 * <h2>Timeouts and errors</h2>
 *
 * Every SDK call gets what is left of the context's operation timeout as its {@code apiCallTimeout} (the
 * SDK's retries, such as those for throttling, happen within it); an operation of several calls ends within
 * the timeout as a whole, except that a clear then waits the generation reuse time. A timeout fails with
 * {@link io.cachekit.CacheTimeoutException}, any other failure with {@link CacheBackendException}
 * ({@link DynamoDbErrors} maps them). {@link #create} fails with {@link io.cachekit.StoreUnreachableException}
 * when the endpoint does not answer.
 *
 * <h2>Threads</h2>
 *
 * Thread-safe. The async methods never block the caller: they use the async client. The client the backend
 * builds completes its futures on Netty's event loop, where only the backend's own short, non-blocking steps
 * run; a {@link io.cachekit.Cache} hands every result to its executor before user code sees it, so one thread
 * hand-off per call, not two. Futures of a client supplied through the options complete wherever that client
 * completes them; code chained directly on this backend's futures must not block.
 */
public final class DynamoDbBackend implements CacheBackend {
    private static final Logger log = LoggerFactory.getLogger(DynamoDbBackend.class);

    private static final String SET_IF_ABSENT = "setIfAbsent";

    private final DynamoDbBackendOptions options;
    private final Clock clock;
    private final Duration timeout;
    private final long timeoutNanos;
    private final DynamoDbErrors errors;
    private final DynamoDbClients clients;
    private final Requests requests;
    private final SdkCalls calls;
    private final BatchCalls batches;
    private final ConditionalPuts conditionalPuts;
    private final Generations generations;
    private final EntryReads reads;
    private final NamespaceClears clears;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DynamoDbBackend(DynamoDbBackendOptions options, BackendContext context) {
        this.options = Objects.requireNonNull(options, "options");
        Objects.requireNonNull(context, "context");
        this.clock = context.clock();
        this.timeout = context.operationTimeout();
        this.timeoutNanos = timeout.toNanos();
        this.errors = new DynamoDbErrors(options.target(), timeout);
        this.clients = DynamoDbClients.of(options, timeout);
        this.requests = new Requests(options.table(), options.maxItemAge());
        this.calls = new SdkCalls(errors);
        this.batches = new BatchCalls(clients, requests, calls, errors);
        this.conditionalPuts = new ConditionalPuts(clients, requests, calls, errors);
        this.generations = new Generations(options.generationReuse());
        this.reads = new EntryReads(clients, requests, calls, batches, generations, clock);
        this.clears =
                new NamespaceClears(clients, requests, calls, generations, options.generationReuse(), options.target());
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
            new TableSetup(backend.clients.sync(), options, backend.errors, backend.timeout).run();
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        log.debug("dynamodb backend ready on {}", options.target());
        return backend;
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
        return reads.get("get", pk, gk, deadline());
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
            long askedAt = System.nanoTime();
            generation = generations.learnFrom(gk, batches.get("set", List.of(gk), deadline), askedAt);
        }
        Map<String, AttributeValue> item = requests.entryItem(pk, value, generation, ttl, now());
        calls.call("set", deadline, o -> clients.sync().putItem(requests.put(item, o)));
    }

    @Override
    public void delete(String namespace, String key) {
        String pk = ItemLayout.entryKey(namespace, key);
        checkOpen("delete");
        calls.call("delete", deadline(), o -> clients.sync().deleteItem(requests.delete(pk, o)));
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
            long askedAt = System.nanoTime();
            Map<String, Map<String, AttributeValue>> items = batches.get(SET_IF_ABSENT, List.of(gk, pk), deadline);
            long generation = generations.learnFrom(gk, items, askedAt);
            Instant now = now();
            byte[] existing = ItemLayout.blockingValue(items.get(pk), generation, now.toEpochMilli());
            if (existing != null) {
                return existing;
            }
            Map<String, AttributeValue> blocker =
                    conditionalPuts.putIfWritable(SET_IF_ABSENT, pk, value, generation, ttl, now, deadline);
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

    @Override
    public void clear(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        checkOpen("clear");
        clears.clear(namespace, deadline());
    }

    @Override
    public Map<String, byte[]> getMany(String namespace, Collection<String> keys) {
        Objects.requireNonNull(namespace, "namespace");
        checkOpen("getMany");
        if (keys.isEmpty()) {
            return new HashMap<>();
        }
        ManyKeys many = ManyKeys.of(namespace, keys);
        long askedAt = System.nanoTime();
        Map<String, Map<String, AttributeValue>> items = batches.get("getMany", many.all(), deadline());
        return many.liveValues(items, askedAt, generations, clock);
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
        Set<String> gks = ManyKeys.generationKeys(namespace, byPk.keySet());
        Map<String, Long> known = generations.freshOf(gks);
        if (known.size() < gks.size()) {
            List<String> missing =
                    gks.stream().filter(gk -> !known.containsKey(gk)).toList();
            long askedAt = System.nanoTime();
            Map<String, Map<String, AttributeValue>> read = batches.get("setMany", missing, deadline);
            for (String gk : missing) {
                known.put(gk, generations.learnFrom(gk, read, askedAt));
            }
        }
        batches.write("setMany", requests.puts(namespace, byPk, known, ttl, now()), deadline);
    }

    // ---------------------------------------------------------------- async

    @Override
    public CompletableFuture<byte[]> getAsync(String namespace, String key) {
        String pk = ItemLayout.entryKey(namespace, key);
        String gk = ItemLayout.generationKeyOf(namespace, pk);
        if (closed.get()) {
            return CompletableFuture.failedFuture(errors.closed("get"));
        }
        return calls.mapErrors("get", reads.getAsync("get", pk, gk, deadline()));
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
        long askedAt = System.nanoTime();
        CompletableFuture<Long> generation = fresh >= 0
                ? CompletableFuture.completedFuture(fresh)
                : batches.getAsync("set", List.of(gk), deadline)
                        .thenApply(items -> generations.learnFrom(gk, items, askedAt));
        return calls.mapErrors(
                "set",
                generation
                        .thenCompose(g -> {
                            Map<String, AttributeValue> item = requests.entryItem(pk, value, g, ttl, now());
                            return calls.callAsync(
                                    "set", deadline, o -> clients.async().putItem(requests.put(item, o)));
                        })
                        .thenApply(response -> null));
    }

    @Override
    public CompletableFuture<Void> deleteAsync(String namespace, String key) {
        String pk = ItemLayout.entryKey(namespace, key);
        if (closed.get()) {
            return CompletableFuture.failedFuture(errors.closed("delete"));
        }
        return calls.mapErrors(
                "delete",
                calls.callAsync("delete", deadline(), o -> clients.async().deleteItem(requests.delete(pk, o)))
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
        return calls.mapErrors(SET_IF_ABSENT, setIfAbsentRound(pk, gk, value, ttl, deadline()));
    }

    private CompletableFuture<byte[]> setIfAbsentRound(
            String pk, String gk, byte[] value, Duration ttl, long deadline) {
        long askedAt = System.nanoTime();
        return batches.getAsync(SET_IF_ABSENT, List.of(gk, pk), deadline).thenCompose(items -> {
            long generation = generations.learnFrom(gk, items, askedAt);
            Instant now = now();
            byte[] existing = ItemLayout.blockingValue(items.get(pk), generation, now.toEpochMilli());
            if (existing != null) {
                return CompletableFuture.completedFuture(existing);
            }
            return conditionalPuts
                    .putIfWritableAsync(SET_IF_ABSENT, pk, value, generation, ttl, now, deadline)
                    .thenCompose(blocker -> {
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

    @Override
    public CompletableFuture<Void> clearAsync(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        if (closed.get()) {
            return CompletableFuture.failedFuture(errors.closed("clear"));
        }
        return calls.mapErrors("clear", clears.clearAsync(namespace, deadline()));
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
        long askedAt = System.nanoTime();
        return calls.mapErrors(
                "getMany",
                batches.getAsync("getMany", many.all(), deadline())
                        .thenApply(items -> many.liveValues(items, askedAt, generations, clock)));
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
        Set<String> gks = ManyKeys.generationKeys(namespace, byPk.keySet());
        Map<String, Long> known = generations.freshOf(gks);
        List<String> missing = gks.stream().filter(gk -> !known.containsKey(gk)).toList();
        long askedAt = System.nanoTime();
        CompletableFuture<Map<String, Long>> generationsRead = missing.isEmpty()
                ? CompletableFuture.completedFuture(known)
                : batches.getAsync("setMany", missing, deadline).thenApply(read -> {
                    for (String gk : missing) {
                        known.put(gk, generations.learnFrom(gk, read, askedAt));
                    }
                    return known;
                });
        return calls.mapErrors(
                "setMany",
                generationsRead.thenCompose(gens ->
                        batches.writeAsync("setMany", requests.puts(namespace, byPk, gens, ttl, now()), deadline)));
    }

    // ---------------------------------------------------------------- helpers

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

    /**
     * The sync client for {@code DynamoDbClient.class}, the async one for {@code DynamoDbAsyncClient.class},
     * the options for {@code DynamoDbBackendOptions.class}.
     */
    @Override
    public <T> T unwrap(Class<T> type) {
        if (type.isInstance(clients.sync())) {
            return type.cast(clients.sync());
        }
        if (type.isInstance(clients.async())) {
            return type.cast(clients.async());
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
        clients.close();
    }

    @Override
    public String toString() {
        return "DynamoDbBackend{" + options.target() + "}";
    }
}
