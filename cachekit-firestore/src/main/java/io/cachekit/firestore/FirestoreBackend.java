package io.cachekit.firestore;

import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.firestore.DocumentReference;
import com.google.cloud.firestore.DocumentSnapshot;
import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.WriteBatch;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.CacheValueTooLargeException;
import io.cachekit.StoreUnreachableException;
import io.cachekit.firestore.internal.ConditionalWrite;
import io.cachekit.firestore.internal.DocumentLayout;
import io.cachekit.firestore.internal.EntryDocuments;
import io.cachekit.firestore.internal.FirestoreCalls;
import io.cachekit.firestore.internal.FirestoreClients;
import io.cachekit.firestore.internal.FirestoreErrors;
import io.cachekit.firestore.internal.NamespaceClear;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.spi.Durations;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
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

    private final FirestoreBackendOptions options;
    private final BackendContext context;
    private final Firestore firestore;
    private final boolean ownsClient;
    private final String target;
    private final FirestoreErrors errors;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final FirestoreCalls calls;
    private final EntryDocuments documents;
    private final NamespaceClear namespaceClear;

    private FirestoreBackend(
            FirestoreBackendOptions options, BackendContext context, Firestore firestore, boolean ownsClient) {
        this.options = options;
        this.context = context;
        this.firestore = firestore;
        this.ownsClient = ownsClient;
        this.target = FirestoreClients.target(options, firestore);
        this.errors = new FirestoreErrors(target, context.operationTimeout());
        this.calls = new FirestoreCalls(errors, context.operationTimeout(), closed::get);
        this.documents =
                new EntryDocuments(firestore, options.collection(), options.batchSize(), context.clock(), errors);
        this.namespaceClear = new NamespaceClear(calls, documents, options.batchSize());
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
        Firestore client = FirestoreClients.build(options, retrySettings(context.operationTimeout()));
        LOG.debug("Firestore client for {}", options.target());
        return new FirestoreBackend(options, context, client, true);
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
            calls.await("connect", () -> firestore
                    .collection(options.collection())
                    .document(PROBE_ID)
                    .get());
        } catch (CacheBackendException e) {
            throw errors.atCreation("connect", e);
        }
    }

    /**
     * The retry settings that the backend gives the client it builds, for an operation timeout of {@code
     * timeout}: every RPC gets the timeout as its deadline and as its whole retry budget, and at most three
     * attempts; retries (of what the client deems retryable, such as {@code UNAVAILABLE}) start after 20 ms and
     * back off to 200 ms, so a transient failure is retried within the timeout while a server that is down fails
     * within milliseconds.
     *
     * <p>A client supplied through the options ({@link FirestoreBackendOptions.Builder#firestore}) keeps its own
     * settings; to bound its calls as an owned client's are, build it with {@code
     * FirestoreOptions.newBuilder().setRetrySettings(FirestoreBackend.retrySettings(timeout))}, given the
     * operation timeout of the backend it serves. Thread-safe; each call returns a new, immutable value.
     *
     * @param timeout the operation timeout; positive
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public static RetrySettings retrySettings(Duration timeout) {
        Durations.requirePositive("timeout", timeout);
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
        DocumentReference document = documents.document(namespace, key);
        DocumentSnapshot snapshot = calls.await("get", document::get);
        return DocumentLayout.read(snapshot, context.clock().instant());
    }

    @Override
    public void set(String namespace, String key, byte[] value, Duration ttl) {
        EntryDocuments.Write write = documents.write(namespace, key, value, ttl, "set");
        calls.await("set", () -> write.document().set(write.fields()));
    }

    @Override
    public void delete(String namespace, String key) {
        DocumentReference document = documents.document(namespace, key);
        calls.await("delete", document::delete);
    }

    /**
     * Atomic among every writer of the collection: {@code create} (a write with the precondition that no
     * document exists), and for a document that exists but has expired on the context's clock, an {@code
     * update} with the precondition that it is still the version that was read. See {@link #setIfAbsentAsync};
     * this waits for it, within the operation timeout as a whole.
     */
    @Override
    public byte[] setIfAbsent(String namespace, String key, byte[] value, Duration ttl) {
        return calls.awaitAll("setIfAbsent", setIfAbsentAsync(namespace, key, value, ttl));
    }

    /** Page by page, each query and each batch of deletes bounded by the timeout; the clear as a whole is not. */
    @Override
    public void clear(String namespace) {
        namespaceClear.clear(namespace);
    }

    /** One {@code getAll} of every distinct key. */
    @Override
    public Map<String, byte[]> getMany(String namespace, Collection<String> keys) {
        EntryDocuments.Reads reads = documents.reads(namespace, keys);
        if (reads.documents().length == 0) {
            calls.checkOpen("getMany");
            return new HashMap<>();
        }
        List<DocumentSnapshot> snapshots = calls.await("getMany", () -> firestore.getAll(reads.documents()));
        return reads.found(snapshots, context.clock());
    }

    /** Batches of at most {@code batchSize} documents and 9 MiB, one after another; nothing when one is too large. */
    @Override
    public void setMany(String namespace, Map<String, byte[]> entries, Duration ttl) {
        calls.checkOpen("setMany");
        for (WriteBatch batch : documents.batches(namespace, entries, ttl)) {
            calls.await("setMany", batch::commit);
        }
    }

    // ---------------------------------------------------------------- async

    @Override
    public CompletableFuture<byte[]> getAsync(String namespace, String key) {
        DocumentReference document = documents.document(namespace, key);
        return calls.async(
                "get",
                document::get,
                snapshot -> DocumentLayout.read(snapshot, context.clock().instant()));
    }

    @Override
    public CompletableFuture<Void> setAsync(String namespace, String key, byte[] value, Duration ttl) {
        EntryDocuments.Write write;
        try {
            write = documents.write(namespace, key, value, ttl, "set");
        } catch (CacheBackendException e) {
            return CompletableFuture.failedFuture(e);
        }
        return calls.async("set", () -> write.document().set(write.fields()), result -> null);
    }

    @Override
    public CompletableFuture<Void> deleteAsync(String namespace, String key) {
        DocumentReference document = documents.document(namespace, key);
        return calls.async("delete", document::delete, result -> null);
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
        EntryDocuments.Write write;
        try {
            write = documents.write(namespace, key, value, ttl, "setIfAbsent");
        } catch (CacheBackendException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (closed.get()) {
            return CompletableFuture.failedFuture(errors.closed("setIfAbsent"));
        }
        return new ConditionalWrite(calls, errors, write, context.clock(), SET_IF_ABSENT_ATTEMPTS).start();
    }

    @Override
    public CompletableFuture<Void> clearAsync(String namespace) {
        return namespaceClear.clearAsync(namespace);
    }

    @Override
    public CompletableFuture<Map<String, byte[]>> getManyAsync(String namespace, Collection<String> keys) {
        EntryDocuments.Reads reads = documents.reads(namespace, keys);
        if (reads.documents().length == 0) {
            return closed.get()
                    ? CompletableFuture.failedFuture(errors.closed("getMany"))
                    : CompletableFuture.completedFuture(new HashMap<>());
        }
        return calls.async(
                "getMany",
                () -> firestore.getAll(reads.documents()),
                snapshots -> reads.found(snapshots, context.clock()));
    }

    @Override
    public CompletableFuture<Void> setManyAsync(String namespace, Map<String, byte[]> entries, Duration ttl) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(errors.closed("setMany"));
        }
        List<WriteBatch> batches;
        try {
            batches = documents.batches(namespace, entries, ttl);
        } catch (CacheBackendException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        commitInTurn(batches, 0, done);
        return done;
    }

    /** Commits the batches one after another, each from the completion of the one before: no thread waits. */
    private void commitInTurn(List<WriteBatch> batches, int next, CompletableFuture<Void> done) {
        if (next == batches.size()) {
            done.complete(null);
            return;
        }
        calls.async("setMany", batches.get(next)::commit, results -> null).whenComplete((ignored, error) -> {
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
}
