package io.cachekit.firestore;

import com.google.api.core.ApiFuture;
import com.google.api.core.ApiFutureCallback;
import com.google.api.core.ApiFutures;
import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.Timestamp;
import com.google.cloud.firestore.CollectionReference;
import com.google.cloud.firestore.DocumentReference;
import com.google.cloud.firestore.DocumentSnapshot;
import com.google.cloud.firestore.FieldPath;
import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.FirestoreOptions;
import com.google.cloud.firestore.Precondition;
import com.google.cloud.firestore.Query;
import com.google.cloud.firestore.QueryDocumentSnapshot;
import com.google.cloud.firestore.QuerySnapshot;
import com.google.cloud.firestore.WriteBatch;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.CacheValueTooLargeException;
import io.cachekit.StoreUnreachableException;
import io.cachekit.firestore.internal.DocumentLayout;
import io.cachekit.firestore.internal.FirestoreErrors;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CacheBackend} on one Firestore collection, through the official client ({@code
 * google-cloud-firestore}), or through a client the application supplies.
 *
 * <h2>Storage</h2>
 *
 * One document per entry, in the configured collection ({@value FirestoreBackendOptions#DEFAULT_COLLECTION}
 * by default): its id is the URL-safe Base64 SHA-256 of {@code namespace:key} ({@link
 * io.cachekit.spi.StoredKeys#digest}, 43 characters; ids cannot hold {@code /} and are limited in length), and
 * its fields are {@code ns} (the namespace, a string), {@code value} (the entry's bytes, a Blob) and {@code
 * expiresAt} (a Timestamp; null for entries that never expire). A write replaces the whole document and
 * always sets all three fields, so a write without TTL also removes an earlier expiry.
 *
 * <h2>Expiry</h2>
 *
 * {@code expiresAt} is the context clock's time of the write plus the TTL, rounded up to microseconds. Every
 * read ({@link #get}, {@link #getMany}) treats a document whose {@code expiresAt} has passed on the context's
 * clock as absent. Firestore deletes such documents itself once a TTL policy is enabled on the field ({@code
 * gcloud firestore fields ttls update expiresAt --collection-group=<collection> --enable-ttl}), usually within
 * a day of expiry; the backend never deletes them on read.
 *
 * <h2>Bulk operations and clear</h2>
 *
 * {@link #getMany} is one {@code getAll} (one {@code BatchGetDocuments} call) for every distinct key; {@link
 * #setMany} writes batches of at most {@link FirestoreBackendOptions#batchSize()} documents and 9 MiB each,
 * one after another, each awaited (not atomic as a whole). {@link #clear} queries {@code ns == namespace}
 * for document ids only (no fields), a page of at most {@code batchSize} at a time, deletes each page with
 * one batch, awaits it, and repeats until a page comes back short: one query round trip and one delete per
 * document of the namespace, and no other namespace is read.
 *
 * <h2>Limits, errors and timeouts</h2>
 *
 * A document over Firestore's 1 MiB limit, computed by Firestore's size rules before anything is sent, fails
 * with {@link CacheValueTooLargeException} (which never opens Cachekit's circuit breaker) and writes nothing
 * (for {@link #setMany}: no entry of the call). Each call to Firestore is bounded by the context's operation
 * timeout: the owned client's RPC deadline and retry budget are set to it, and the backend also stops waiting
 * then and cancels the call; it then fails with {@link CacheTimeoutException}. {@link #clear} and {@link
 * #setMany} make several calls, each so bounded; {@link #setIfAbsent} makes up to three per attempt, all
 * within one timeout. Any other failure is a {@link CacheBackendException}; errors are mapped in one place
 * ({@code FirestoreErrors}), and messages never contain credentials. A document that this backend did not
 * write (other field types) is read as bytes that Cachekit counts as corrupt and deletes, never as an
 * exception.
 *
 * <h2>Threads</h2>
 *
 * Thread-safe. {@link #create} makes no call to Firestore: the client connects on first use, so an unreachable
 * Firestore shows in the operations. The provider (URIs, the Spring property) creates backends with a check
 * that Firestore answers (one document read) and throws {@link StoreUnreachableException} when it does not, so
 * that Cachekit starts without it and connects in the background. The async methods never block: they adapt
 * the client's {@code ApiFuture}s, and their futures complete on the client's gRPC threads (or, on a timeout,
 * on the backend's timer thread), so code chained on them must not block. The sync methods wait for the same
 * futures on the calling thread.
 */
public final class FirestoreBackend implements CacheBackend {
    private static final Logger LOG = LoggerFactory.getLogger(FirestoreBackend.class);

    /** Runs a callback on the thread that completes the client's future. */
    private static final Executor DIRECT = Runnable::run;

    /**
     * Attempts of {@link #setIfAbsent}: an attempt lost to another writer (the document appeared, changed or
     * vanished between two calls) starts over, within the same operation timeout.
     */
    static final int SET_IF_ABSENT_ATTEMPTS = 5;

    /**
     * The document that {@link #connect} reads: {@code ~} followed by no digest of the reserved form, so never an
     * entry's id (see {@link DocumentLayout#documentId}).
     */
    static final String PROBE_ID = "~probe";

    /** Fires the operation timeouts of async calls, for every backend; one daemon thread. */
    private static final ScheduledThreadPoolExecutor TIMER = newTimer();

    private final FirestoreBackendOptions options;
    private final BackendContext context;
    private final Firestore firestore;
    private final boolean ownsClient;
    private final CollectionReference collection;
    private final int collectionPathBytes;
    private final long timeoutNanos;
    private final String target;
    private final FirestoreErrors errors;
    private final AtomicBoolean closed = new AtomicBoolean();

    private FirestoreBackend(
            FirestoreBackendOptions options, BackendContext context, Firestore firestore, boolean ownsClient) {
        this.options = options;
        this.context = context;
        this.firestore = firestore;
        this.ownsClient = ownsClient;
        this.collection = firestore.collection(options.collection());
        this.collectionPathBytes = DocumentLayout.pathBytes(options.collection());
        this.timeoutNanos = context.operationTimeout().toNanos();
        this.target = target(options, firestore);
        this.errors = new FirestoreErrors(target, context.operationTimeout());
    }

    /**
     * Creates a backend: on the client of {@code options}, or on one of its own built from them. No call is
     * made to Firestore here.
     *
     * @throws IllegalArgumentException when no project is set and none can be found in the environment
     * @throws CacheBackendException when the client cannot be built (for example, unreadable credentials)
     */
    public static FirestoreBackend create(FirestoreBackendOptions options, BackendContext context) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(context, "context");
        if (options.firestore() != null) {
            return new FirestoreBackend(options, context, options.firestore(), false);
        }
        Firestore client = newClient(options, context.operationTimeout());
        LOG.debug("Firestore client for {}", options.target());
        return new FirestoreBackend(options, context, client, true);
    }

    private static Firestore newClient(FirestoreBackendOptions options, Duration timeout) {
        FirestoreOptions.Builder builder = FirestoreOptions.newBuilder().setRetrySettings(retrySettings(timeout));
        if (options.projectId() != null) {
            builder.setProjectId(options.projectId());
        }
        if (options.databaseId() != null) {
            builder.setDatabaseId(options.databaseId());
        }
        if (options.emulatorHost() != null) {
            // Not together with NoCredentials: the client would then ignore the emulator.
            builder.setEmulatorHost(options.emulatorHost());
        }
        if (options.credentials() != null) {
            builder.setCredentials(options.credentials());
        }
        FirestoreOptions firestoreOptions;
        try {
            firestoreOptions = builder.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "firestore (" + options.target() + "): " + e.getMessage() + " (set the project in the URI,"
                            + " firestore://project-id, or GOOGLE_CLOUD_PROJECT)",
                    e);
        } catch (RuntimeException e) {
            throw new CacheBackendException(
                    "firestore (" + options.target() + "): cannot configure the client: " + e.getMessage(), e);
        }
        try {
            return firestoreOptions.getService();
        } catch (RuntimeException e) {
            throw new CacheBackendException(
                    "firestore (" + options.target() + "): cannot create the client: " + e.getMessage(), e);
        }
    }

    /**
     * Creates a backend as {@link #create} does, then checks that Firestore answers: one read of a document that
     * no entry uses ({@value #PROBE_ID}; absent, it costs one document read). The provider creates backends so,
     * so that Cachekit starts without an unreachable Firestore and connects in the background.
     *
     * @throws StoreUnreachableException when Firestore cannot be reached or does not answer within the operation
     *     timeout; the backend's own client is closed
     * @throws CacheBackendException when Firestore refuses the read (credentials, permissions, a database that
     *     does not exist)
     */
    static FirestoreBackend connect(FirestoreBackendOptions options, BackendContext context) {
        FirestoreBackend backend = create(options, context);
        try {
            backend.checkReachable();
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        return backend;
    }

    private void checkReachable() {
        try {
            await("connect", () -> collection.document(PROBE_ID).get());
        } catch (CacheBackendException e) {
            throw errors.atCreation("connect", e);
        }
    }

    /**
     * Every RPC of the owned client gets the operation timeout as its deadline and as its whole retry budget;
     * retries (of what the client deems retryable, such as {@code UNAVAILABLE}) start after 20 ms, so a
     * transient failure is retried within the timeout while a server that is down fails within milliseconds.
     */
    private static RetrySettings retrySettings(Duration timeout) {
        return RetrySettings.newBuilder()
                .setTotalTimeoutDuration(timeout)
                .setInitialRpcTimeoutDuration(timeout)
                .setMaxRpcTimeoutDuration(timeout)
                .setRpcTimeoutMultiplier(1.0)
                .setInitialRetryDelayDuration(Duration.ofMillis(20))
                .setMaxRetryDelayDuration(Duration.ofMillis(200))
                .setRetryDelayMultiplier(2.0)
                .setMaxAttempts(3)
                .build();
    }

    private static String target(FirestoreBackendOptions options, Firestore firestore) {
        if (options.firestore() == null) {
            return options.target();
        }
        FirestoreOptions o = firestore.getOptions();
        return "project " + o.getProjectId() + ", database " + o.getDatabaseId() + ", collection "
                + options.collection();
    }

    /** {@code firestore}. */
    @Override
    public String name() {
        return "firestore";
    }

    /** The options this backend was created with. */
    public FirestoreBackendOptions options() {
        return options;
    }

    // ---------------------------------------------------------------- sync

    @Override
    public byte[] get(String namespace, String key) {
        DocumentReference document = document(namespace, key);
        DocumentSnapshot snapshot = await("get", document::get);
        return DocumentLayout.read(snapshot, context.clock().instant());
    }

    @Override
    public void set(String namespace, String key, byte[] value, Duration ttl) {
        Write write = write(namespace, key, value, ttl, "set");
        await("set", () -> write.document.set(write.fields));
    }

    @Override
    public void delete(String namespace, String key) {
        DocumentReference document = document(namespace, key);
        await("delete", document::delete);
    }

    /**
     * Atomic among every writer of the collection: {@code create} (a write with the precondition that no
     * document exists), and for a document that exists but has expired on the context's clock, an {@code
     * update} with the precondition that it is still the version that was read. See {@link #setIfAbsentAsync};
     * this waits for it, within the operation timeout as a whole.
     */
    @Override
    public byte[] setIfAbsent(String namespace, String key, byte[] value, Duration ttl) {
        return awaitAll("setIfAbsent", setIfAbsentAsync(namespace, key, value, ttl));
    }

    /** Page by page, each query and each batch of deletes bounded by the timeout; the clear as a whole is not. */
    @Override
    public void clear(String namespace) {
        Query page = clearQuery(namespace);
        while (true) {
            QuerySnapshot found = await("clear", page::get);
            if (found.isEmpty()) {
                return;
            }
            WriteBatch batch = deletes(found);
            await("clear", batch::commit);
            if (found.size() < options.batchSize()) {
                return;
            }
        }
    }

    /** One {@code getAll} of every distinct key. */
    @Override
    public Map<String, byte[]> getMany(String namespace, Collection<String> keys) {
        Reads reads = reads(namespace, keys);
        if (reads.documents.length == 0) {
            checkOpen("getMany");
            return new HashMap<>();
        }
        List<DocumentSnapshot> snapshots = await("getMany", () -> firestore.getAll(reads.documents));
        return reads.found(snapshots, context);
    }

    /** Batches of at most {@code batchSize} documents and 9 MiB, one after another; nothing when one is too large. */
    @Override
    public void setMany(String namespace, Map<String, byte[]> entries, Duration ttl) {
        checkOpen("setMany");
        for (WriteBatch batch : batches(namespace, entries, ttl)) {
            await("setMany", batch::commit);
        }
    }

    // ---------------------------------------------------------------- async

    @Override
    public CompletableFuture<byte[]> getAsync(String namespace, String key) {
        DocumentReference document = document(namespace, key);
        return async(
                "get",
                document::get,
                snapshot -> DocumentLayout.read(snapshot, context.clock().instant()));
    }

    @Override
    public CompletableFuture<Void> setAsync(String namespace, String key, byte[] value, Duration ttl) {
        Write write;
        try {
            write = write(namespace, key, value, ttl, "set");
        } catch (CacheBackendException e) {
            return CompletableFuture.failedFuture(e);
        }
        return async("set", () -> write.document.set(write.fields), result -> null);
    }

    @Override
    public CompletableFuture<Void> deleteAsync(String namespace, String key) {
        DocumentReference document = document(namespace, key);
        return async("delete", document::delete, result -> null);
    }

    /**
     * Writes only where no live entry is, atomically among every writer of the collection, in every process:
     *
     * <ol>
     *   <li>{@code create} the document: Firestore writes it only if no document of that id exists, so of
     *       concurrent callers exactly one succeeds; the others get {@code ALREADY_EXISTS};
     *   <li>then read the document: a live entry (by the context's clock) is returned unchanged; a document of
     *       another writer is returned as bytes that are no envelope (Cachekit deletes it); a document deleted
     *       in between starts over;
     *   <li>an expired document is replaced by an {@code update} with the precondition that its update time is
     *       still the one read, so again only one of concurrent callers replaces it; a caller that loses starts
     *       over and finds the winner's entry.
     * </ol>
     *
     * One call when the key is free, two when a live entry is in the way, three to replace an expired one; at
     * most {@value #SET_IF_ABSENT_ATTEMPTS} attempts, all within one operation timeout. No thread waits: each
     * call is chained on the completion of the one before.
     */
    @Override
    public CompletableFuture<byte[]> setIfAbsentAsync(String namespace, String key, byte[] value, Duration ttl) {
        Write write;
        try {
            write = write(namespace, key, value, ttl, "setIfAbsent");
        } catch (CacheBackendException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (closed.get()) {
            return CompletableFuture.failedFuture(errors.closed("setIfAbsent"));
        }
        return new ConditionalWrite(write).start();
    }

    @Override
    public CompletableFuture<Void> clearAsync(String namespace) {
        Query page = clearQuery(namespace);
        CompletableFuture<Void> done = new CompletableFuture<>();
        clearPage(page, done);
        return done;
    }

    /** Queries one page, deletes it, and goes on from the completion of the delete: no thread waits. */
    private void clearPage(Query page, CompletableFuture<Void> done) {
        async("clear", page::get, found -> found).whenComplete((found, queryError) -> {
            if (queryError != null) {
                done.completeExceptionally(queryError);
                return;
            }
            if (found.isEmpty()) {
                done.complete(null);
                return;
            }
            async("clear", () -> deletes(found).commit(), results -> null).whenComplete((ignored, deleteError) -> {
                if (deleteError != null) {
                    done.completeExceptionally(deleteError);
                } else if (found.size() < options.batchSize()) {
                    done.complete(null);
                } else {
                    clearPage(page, done);
                }
            });
        });
    }

    @Override
    public CompletableFuture<Map<String, byte[]>> getManyAsync(String namespace, Collection<String> keys) {
        Reads reads = reads(namespace, keys);
        if (reads.documents.length == 0) {
            return closed.get()
                    ? CompletableFuture.failedFuture(errors.closed("getMany"))
                    : CompletableFuture.completedFuture(new HashMap<>());
        }
        return async("getMany", () -> firestore.getAll(reads.documents), snapshots -> reads.found(snapshots, context));
    }

    @Override
    public CompletableFuture<Void> setManyAsync(String namespace, Map<String, byte[]> entries, Duration ttl) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(errors.closed("setMany"));
        }
        List<WriteBatch> batches;
        try {
            batches = batches(namespace, entries, ttl);
        } catch (CacheBackendException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        commitInTurn(batches, 0, done);
        return done;
    }

    private void commitInTurn(List<WriteBatch> batches, int next, CompletableFuture<Void> done) {
        if (next == batches.size()) {
            done.complete(null);
            return;
        }
        async("setMany", batches.get(next)::commit, results -> null).whenComplete((ignored, error) -> {
            if (error != null) {
                done.completeExceptionally(error);
            } else {
                commitInTurn(batches, next + 1, done);
            }
        });
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Returns the Firestore client (the owned one, or the one supplied) when asked for a type it is an
     * instance of, such as {@link Firestore}.
     *
     * @throws IllegalArgumentException if neither this backend nor its client is of that type
     */
    @Override
    public <T> T unwrap(Class<T> type) {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        if (type.isInstance(firestore)) {
            return type.cast(firestore);
        }
        throw new IllegalArgumentException(name() + " backend cannot be unwrapped to " + type.getName());
    }

    /** Closes the owned client (never a supplied one); later operations fail with {@link CacheBackendException}. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true) || !ownsClient) {
            return;
        }
        try {
            firestore.close();
        } catch (Exception e) {
            LOG.debug("Closing the Firestore client of {} failed", options.target(), e);
        }
    }

    @Override
    public String toString() {
        return "FirestoreBackend{" + target + "}";
    }

    // ---------------------------------------------------------------- helpers

    private DocumentReference document(String namespace, String key) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(key, "key");
        return collection.document(DocumentLayout.documentId(namespace, key));
    }

    /** A document to write, checked against the size limit. */
    private record Write(DocumentReference document, Map<String, Object> fields, long bytes) {}

    private Write write(String namespace, String key, byte[] value, Duration ttl, String operation) {
        DocumentReference document = document(namespace, key);
        Objects.requireNonNull(value, "value");
        Timestamp expiresAt = DocumentLayout.expiresAt(context.clock().instant(), ttl);
        long bytes = DocumentLayout.documentBytes(
                collectionPathBytes, document.getId(), namespace, value.length, expiresAt != null);
        if (bytes > DocumentLayout.MAX_DOCUMENT_BYTES) {
            throw errors.tooLarge(operation, bytes, value.length);
        }
        return new Write(document, DocumentLayout.fields(namespace, value, expiresAt), bytes);
    }

    /** Every document checked before any batch is made, so that an oversized one writes nothing. */
    private List<WriteBatch> batches(String namespace, Map<String, byte[]> entries, Duration ttl) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(entries, "entries");
        List<Write> writes = new ArrayList<>(entries.size());
        entries.forEach((key, value) -> writes.add(write(namespace, key, value, ttl, "setMany")));
        List<WriteBatch> batches = new ArrayList<>();
        WriteBatch batch = null;
        int count = 0;
        long bytes = 0;
        for (Write write : writes) {
            if (batch == null || count == options.batchSize() || bytes + write.bytes > DocumentLayout.MAX_BATCH_BYTES) {
                batch = firestore.batch();
                batches.add(batch);
                count = 0;
                bytes = 0;
            }
            batch.set(write.document, write.fields);
            count++;
            bytes += write.bytes;
        }
        return batches;
    }

    /** The documents of a namespace, ids only, a page at a time. */
    private Query clearQuery(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        return collection
                .whereEqualTo(DocumentLayout.NAMESPACE, namespace)
                .select(FieldPath.documentId())
                .limit(options.batchSize());
    }

    private WriteBatch deletes(QuerySnapshot found) {
        WriteBatch batch = firestore.batch();
        for (QueryDocumentSnapshot document : found) {
            batch.delete(document.getReference());
        }
        return batch;
    }

    /** The documents of distinct keys, and which key each document id stands for. */
    private record Reads(DocumentReference[] documents, Map<String, String> keysById) {
        Map<String, byte[]> found(List<DocumentSnapshot> snapshots, BackendContext context) {
            Map<String, byte[]> found = new HashMap<>();
            java.time.Instant now = context.clock().instant();
            for (DocumentSnapshot snapshot : snapshots) {
                byte[] value = DocumentLayout.read(snapshot, now);
                String key = value == null ? null : keysById.get(snapshot.getId());
                if (key != null) {
                    found.put(key, value);
                }
            }
            return found;
        }
    }

    private Reads reads(String namespace, Collection<String> keys) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(keys, "keys");
        Map<String, String> keysById = new LinkedHashMap<>();
        for (String key : keys) {
            keysById.put(DocumentLayout.documentId(namespace, Objects.requireNonNull(key, "key")), key);
        }
        DocumentReference[] documents = new DocumentReference[keysById.size()];
        int i = 0;
        for (String id : keysById.keySet()) {
            documents[i++] = collection.document(id);
        }
        return new Reads(documents, keysById);
    }

    private void checkOpen(String operation) {
        if (closed.get()) {
            throw errors.closed(operation);
        }
    }

    /** Starts a call and waits for it within the operation timeout; on the timeout the call is cancelled. */
    private <T> T await(String operation, Supplier<ApiFuture<T>> call) {
        checkOpen(operation);
        ApiFuture<T> future;
        try {
            future = call.get();
        } catch (RuntimeException e) {
            throw failure(operation, e);
        }
        try {
            return future.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw errors.timeout(operation);
        } catch (ExecutionException e) {
            throw failure(operation, e.getCause() == null ? e : e.getCause());
        } catch (CancellationException e) {
            throw failure(operation, e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw errors.interrupted(operation, e);
        }
    }

    /**
     * Starts a call and adapts its {@code ApiFuture} without blocking: a callback on the completing thread
     * completes the returned future, and a timer fails it with {@link CacheTimeoutException} and cancels the
     * call once the operation timeout has passed. Cancelling the returned future cancels the call.
     */
    private <T, R> CompletableFuture<R> async(String operation, Supplier<ApiFuture<T>> call, Function<T, R> then) {
        return async(operation, timeoutNanos, call, then);
    }

    /** {@link #async(String, Supplier, Function)} with what is left of an operation's timeout. */
    private <T, R> CompletableFuture<R> async(
            String operation, long budgetNanos, Supplier<ApiFuture<T>> call, Function<T, R> then) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(errors.closed(operation));
        }
        if (budgetNanos <= 0) {
            return CompletableFuture.failedFuture(errors.timeout(operation));
        }
        ApiFuture<T> future;
        try {
            future = call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(failure(operation, e));
        }
        CompletableFuture<R> result = new CompletableFuture<>();
        ScheduledFuture<?> timer = TIMER.schedule(
                () -> {
                    if (result.completeExceptionally(errors.timeout(operation))) {
                        future.cancel(true);
                    }
                },
                budgetNanos,
                TimeUnit.NANOSECONDS);
        result.whenComplete((value, error) -> {
            timer.cancel(false);
            if (result.isCancelled()) {
                future.cancel(true);
            }
        });
        ApiFutures.addCallback(
                future,
                new ApiFutureCallback<T>() {
                    @Override
                    public void onSuccess(T value) {
                        try {
                            result.complete(then.apply(value));
                        } catch (RuntimeException e) {
                            result.completeExceptionally(failure(operation, e));
                        }
                    }

                    @Override
                    public void onFailure(Throwable error) {
                        result.completeExceptionally(failure(operation, error));
                    }
                },
                DIRECT);
        return result;
    }

    /**
     * One {@link #setIfAbsentAsync}: its calls one after another, each started from the completion of the one
     * before, all within one operation timeout from the start. Cancelling its future cancels the call in flight.
     */
    private final class ConditionalWrite {
        private static final String OPERATION = "setIfAbsent";

        private final Write write;
        private final long deadline = System.nanoTime() + timeoutNanos;
        private final CompletableFuture<byte[]> done = new CompletableFuture<>();
        private volatile CompletableFuture<?> inFlight;
        /** Only touched by one call's completion at a time, each after the one before. */
        private volatile int attempts;

        ConditionalWrite(Write write) {
            this.write = write;
            done.whenComplete((result, error) -> {
                CompletableFuture<?> call = inFlight;
                if (done.isCancelled() && call != null) {
                    call.cancel(true);
                }
            });
        }

        CompletableFuture<byte[]> start() {
            create();
            return done;
        }

        /** Writes the document only if none exists; when one does, reads it. */
        private void create() {
            if (attempts++ == SET_IF_ABSENT_ATTEMPTS) {
                done.completeExceptionally(new CacheBackendException("firestore " + OPERATION + " (" + target
                        + "): the document kept changing under " + SET_IF_ABSENT_ATTEMPTS
                        + " attempts (other writers); nothing was written"));
                return;
            }
            then(call(() -> write.document.create(write.fields)), (written, error) -> {
                if (error == null) {
                    done.complete(null);
                } else if (FirestoreErrors.hasStatus(error, Status.Code.ALREADY_EXISTS)) {
                    read();
                } else if (FirestoreErrors.hasStatus(error, Status.Code.ABORTED)) {
                    create(); // met a concurrent write; nothing was written
                } else {
                    done.completeExceptionally(error);
                }
            });
        }

        /** Returns a live entry; replaces an expired one; starts over when the document has gone. */
        private void read() {
            then(call(write.document::get), (snapshot, error) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                    return;
                }
                if (!snapshot.exists()) {
                    create();
                    return;
                }
                byte[] existing;
                try {
                    existing = DocumentLayout.read(snapshot, context.clock().instant());
                } catch (RuntimeException e) {
                    done.completeExceptionally(failure(OPERATION, e));
                    return;
                }
                if (existing != null) {
                    done.complete(existing);
                } else {
                    replace(snapshot.getUpdateTime());
                }
            });
        }

        /** Overwrites the expired document only if it is still the version that was read. */
        private void replace(Timestamp readVersion) {
            then(call(() -> write.document.update(write.fields, Precondition.updatedAt(readVersion))), (ok, error) -> {
                if (error == null) {
                    done.complete(null);
                } else if (lostRace(error)) {
                    create();
                } else {
                    done.completeExceptionally(error);
                }
            });
        }

        /**
         * Another writer came first: the document read changed since ({@code FAILED_PRECONDITION}), was deleted
         * ({@code NOT_FOUND}), or the write met a concurrent one ({@code ABORTED}); nothing was written.
         */
        private boolean lostRace(Throwable error) {
            return FirestoreErrors.hasStatus(error, Status.Code.FAILED_PRECONDITION)
                    || FirestoreErrors.hasStatus(error, Status.Code.NOT_FOUND)
                    || FirestoreErrors.hasStatus(error, Status.Code.ABORTED);
        }

        private <T> CompletableFuture<T> call(Supplier<ApiFuture<T>> call) {
            return async(OPERATION, deadline - System.nanoTime(), call, Function.identity());
        }

        private <T> void then(CompletableFuture<T> call, BiConsumer<T, Throwable> next) {
            inFlight = call;
            if (done.isDone()) {
                call.cancel(true);
                return;
            }
            call.whenComplete((value, error) -> {
                if (!done.isDone()) {
                    try {
                        next.accept(value, error);
                    } catch (RuntimeException e) {
                        done.completeExceptionally(failure(OPERATION, e));
                    }
                }
            });
        }
    }

    /**
     * Waits for an operation of several calls, which bounds itself by the operation timeout (a second more is
     * only a safety margin); on a timeout, or an interrupt, it is cancelled.
     */
    private <T> T awaitAll(String operation, CompletableFuture<T> future) {
        try {
            return future.get(timeoutNanos + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw errors.timeout(operation);
        } catch (ExecutionException e) {
            throw failure(operation, e.getCause() == null ? e : e.getCause());
        } catch (CancellationException e) {
            throw failure(operation, e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw errors.interrupted(operation, e);
        }
    }

    private CacheBackendException failure(String operation, Throwable error) {
        if (closed.get() && !(error instanceof CacheBackendException)) {
            return new CacheBackendException(errors.closed(operation).getMessage(), error);
        }
        return errors.map(operation, error);
    }

    private static ScheduledThreadPoolExecutor newTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "cachekit-firestore-timeout");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
