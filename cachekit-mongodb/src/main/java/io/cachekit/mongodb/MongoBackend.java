package io.cachekit.mongodb;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.WriteModel;
import com.mongodb.connection.ClusterDescription;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.CacheValueTooLargeException;
import io.cachekit.StoreUnreachableException;
import io.cachekit.mongodb.internal.Entries;
import io.cachekit.mongodb.internal.IndexSetup;
import io.cachekit.mongodb.internal.MongoErrors;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.BlockingCacheBackend;
import io.cachekit.spi.Ttls;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.bson.BsonArray;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * A {@link io.cachekit.spi.CacheBackend} on one MongoDB collection, through the official Java driver
 * (mongodb-driver-sync).
 *
 * <h2>Storage</h2>
 *
 * One document per entry, every namespace in the same collection:
 *
 * <pre>{@code
 * { _id: "users:42", ns: "users", value: BinData(0, <Cachekit's envelope>), expiresAt: ISODate("...") }
 * }</pre>
 *
 * The {@code _id} is {@code <namespace>:<key>}, or {@code <namespace>#<SHA-256 of both>} for a key with
 * control characters or unpaired surrogates or one longer than {@value Entries#MAX_ID_BYTES} bytes ({@link
 * io.cachekit.spi.StoredKeys#readableOrDigest}). {@code expiresAt} is absent for an entry that never expires.
 * Writes are {@code replaceOne} with upsert, so a write replaces the whole document: a write without expiry
 * removes an earlier {@code expiresAt}. {@link #setIfAbsent} is one conditional upsert that only an absent or
 * expired document lets through ({@code {_id, expiresAt: {$lte: now}}}); a live one stops it with a duplicate
 * key error, so of concurrent callers in every process exactly one writes. At start the backend creates, when
 * absent, a TTL index on {@code expiresAt} ({@code expireAfterSeconds: 0}) and an index on {@code ns}, and fails
 * with a clear message when an index of the same name differs ({@link IndexSetup}).
 *
 * <h2>Expiry</h2>
 *
 * {@code expiresAt} is written in real time (the wall clock, UTC), because MongoDB's TTL monitor, which deletes
 * expired documents about once a minute, compares it with the server's real clock. Every read ({@code get},
 * {@code getMany}) finds by {@code _id} alone and fetches {@code expiresAt} with the value: a document whose
 * {@code expiresAt} is not after now, read when the response has arrived, counts as a miss, so an expired
 * document is never returned, even before the monitor deletes it. Cachekit's configured clock (which tests may
 * hold still) decides the expiry written in the envelope, which Cachekit checks on every read as well: an entry
 * is returned only while both say it is live. TTLs of 100 years or more are stored without {@code expiresAt}.
 *
 * <h2>Errors and timeouts</h2>
 *
 * Every operation runs under the context's operation timeout as the driver's client-side operation timeout
 * ({@code timeoutMS}): server selection, connection checkout, the round trip, and a {@code maxTimeMS} the
 * server enforces. Errors are translated in one place ({@link MongoErrors}): an operation that ran out of time
 * is a {@link CacheTimeoutException}, an unreachable server or any other failure a {@link
 * CacheBackendException}. A value whose document would exceed MongoDB's 16 MiB limit fails with a {@link
 * CacheValueTooLargeException} before anything is sent. A document of another layout found under an entry's {@code _id} (no binary {@code value}) is returned
 * as bytes Cachekit counts as a corrupt entry and deletes: a miss, never an exception.
 *
 * <h2>Threads</h2>
 *
 * Thread-safe. The sync methods block the caller; the async ones run them on the context's bounded executor
 * ({@link BlockingCacheBackend}). {@link #close()} closes the owned client (never a supplied one); further
 * operations fail with {@link CacheBackendException}. Null namespaces, keys, values or entry maps throw {@link
 * NullPointerException}.
 */
public final class MongoBackend extends BlockingCacheBackend {
    /** TTLs from this length on are stored without {@code expiresAt}: never expiring. */
    static final Duration LONGEST_TTL = Duration.ofDays(36_500);

    /** Index setup is maintenance, not a request: creating an index may take longer than one operation. */
    private static final Duration MIN_MAINTENANCE_TIMEOUT = Duration.ofSeconds(10);

    /** Conditional writes tried by {@link #setIfAbsent} while the live document it met keeps vanishing. */
    private static final int SET_IF_ABSENT_ATTEMPTS = 3;

    private static final ReplaceOptions UPSERT = new ReplaceOptions().upsert(true);
    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);
    /** What a read fetches: the value, and the expiry that decides whether it is still live. */
    private static final BsonDocument VALUE_AND_EXPIRY =
            new BsonDocument(Entries.VALUE, new BsonInt32(1)).append(Entries.EXPIRES_AT, new BsonInt32(1));

    private final MongoBackendOptions options;
    private final MongoClient client;
    private final boolean ownsClient;
    private final MongoCollection<BsonDocument> collection;
    private final Clock storeClock;
    private final String target;
    private final String where;
    private final Supplier<ClusterDescription> cluster;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MongoBackend(
            MongoBackendOptions options, BackendContext context, MongoClient client, boolean owns, Clock storeClock) {
        super(context);
        this.options = options;
        this.client = client;
        this.ownsClient = owns;
        this.storeClock = storeClock;
        this.target = options.target();
        this.where = options.database() + "." + options.collection() + " at " + target;
        this.cluster = client::getClusterDescription;
        MongoDatabase database = client.getDatabase(options.database());
        this.collection = database.getCollection(options.collection(), BsonDocument.class)
                .withTimeout(timeoutMillis(context.operationTimeout()), TimeUnit.MILLISECONDS);
    }

    /**
     * Connects, and checks or creates the indexes.
     *
     * @throws StoreUnreachableException when the server cannot be reached within the operation timeout
     * @throws CacheBackendException when the server refuses (credentials, rights), an index of the same name
     *     differs, or an index is missing while {@code createIndexes} is false; the message names the target
     *     without credentials
     * @throws NullPointerException when an argument is null
     */
    public static MongoBackend create(MongoBackendOptions options, BackendContext context) {
        return create(options, context, Clock.systemUTC());
    }

    /** {@link #create(MongoBackendOptions, BackendContext)} with the clock that {@code expiresAt} follows. */
    static MongoBackend create(MongoBackendOptions options, BackendContext context, Clock storeClock) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(storeClock, "storeClock");
        boolean owns = options.client() == null;
        MongoClient client = owns ? newClient(options, context) : options.client();
        MongoBackend backend = new MongoBackend(options, context, client, owns, storeClock);
        try {
            backend.setUpIndexes(context.operationTimeout());
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        return backend;
    }

    private static MongoClient newClient(MongoBackendOptions options, BackendContext context) {
        ConnectionString connectionString = new ConnectionString(options.connectionString());
        MongoClientSettings.Builder settings = MongoClientSettings.builder().applyConnectionString(connectionString);
        if (connectionString.getApplicationName() == null) {
            settings.applicationName("cachekit");
        }
        settings.timeout(timeoutMillis(context.operationTimeout()), TimeUnit.MILLISECONDS);
        try {
            return MongoClients.create(settings.build());
        } catch (RuntimeException e) {
            throw new CacheBackendException(
                    "mongodb: cannot create a client for " + options.target() + ": " + e.getMessage(), e);
        }
    }

    private void setUpIndexes(Duration timeout) {
        Duration maintenance = timeout.compareTo(MIN_MAINTENANCE_TIMEOUT) > 0 ? timeout : MIN_MAINTENANCE_TIMEOUT;
        IndexSetup.Check check;
        try {
            // The first contact: bounded by the operation timeout, so an unreachable server fails creation soon.
            check = IndexSetup.check(collection, where);
        } catch (RuntimeException e) {
            throw MongoErrors.translateAtCreation("mongodb setup of " + where, target, e, timeout, cluster);
        }
        IndexSetup.requireUsable(check, options.createIndexes(), where);
        if (!check.missing().isEmpty()) {
            try {
                IndexSetup.create(
                        collection.withTimeout(maintenance.toMillis(), TimeUnit.MILLISECONDS), check.missing());
            } catch (RuntimeException e) {
                throw MongoErrors.translateAtCreation(
                        "mongodb creating the indexes of " + where, target, e, maintenance, cluster);
            }
        }
    }

    @Override
    public String name() {
        return "mongodb";
    }

    @Override
    public byte[] get(String namespace, String key) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(key, "key");
        BsonDocument filter = byId(Entries.id(namespace, key));
        BsonDocument found = run(
                "get",
                () -> collection.find(filter).projection(VALUE_AND_EXPIRY).first());
        return found == null || expired(found, storeClock.millis()) ? null : Entries.value(found);
    }

    @Override
    public void set(String namespace, String key, byte[] value, Duration ttl) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Instant expiresAt = expiresAt(ttl);
        String id = Entries.id(namespace, key);
        checkSize(id, namespace, value, expiresAt != null);
        BsonDocument document = Entries.document(id, namespace, value, expiresAt);
        run("set", () -> collection.replaceOne(byId(id), document, UPSERT));
    }

    /**
     * One conditional write: {@code replaceOne({_id, expiresAt: {$lte: now}}, document, {upsert: true})}. It
     * replaces an expired document, and inserts when there is none; when a live one is there (a later {@code
     * expiresAt}, or none) the filter matches nothing and the upsert's insert meets it in the unique {@code _id}
     * index: a duplicate key error (11000), and nothing is written. Of concurrent callers in any number of
     * processes exactly one writes, since the server applies one write per document at a time and re-checks the
     * filter after a conflict. The loser then reads the live document; should it expire or be deleted in between,
     * the write is tried again.
     */
    @Override
    public byte[] setIfAbsent(String namespace, String key, byte[] value, Duration ttl) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Instant expiresAt = expiresAt(ttl);
        String id = Entries.id(namespace, key);
        checkSize(id, namespace, value, expiresAt != null);
        BsonDocument document = Entries.document(id, namespace, value, expiresAt);
        for (int attempt = 1; ; attempt++) {
            BsonDocument expired = byId(id).append(
                            Entries.EXPIRES_AT, new BsonDocument("$lte", new BsonDateTime(storeClock.millis())));
            boolean written = run("setIfAbsent", () -> {
                try {
                    collection.replaceOne(expired, document, UPSERT);
                    return true;
                } catch (RuntimeException e) {
                    if (MongoErrors.isDuplicateKey(e)) {
                        return false; // a live document holds the _id
                    }
                    throw e;
                }
            });
            if (written) {
                return null;
            }
            byte[] existing = get(namespace, key);
            if (existing != null) {
                return existing;
            }
            if (attempt == SET_IF_ABSENT_ATTEMPTS) {
                throw new CacheBackendException("mongodb setIfAbsent failed: the document of " + id + " in " + where
                        + " expired or was deleted between each of " + attempt + " writes and the read that followed"
                        + " it; nothing was written");
            }
        }
    }

    @Override
    public void delete(String namespace, String key) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(key, "key");
        BsonDocument filter = byId(Entries.id(namespace, key));
        run("delete", () -> collection.deleteOne(filter));
    }

    @Override
    public void clear(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        BsonDocument filter = new BsonDocument(Entries.NAMESPACE, new BsonString(namespace));
        run("clear", () -> collection.deleteMany(filter));
    }

    @Override
    public Map<String, byte[]> getMany(String namespace, Collection<String> keys) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(keys, "keys");
        Map<String, String> keysById = new LinkedHashMap<>();
        for (String key : keys) {
            keysById.put(Entries.id(namespace, Objects.requireNonNull(key, "key")), key);
        }
        Map<String, byte[]> found = new HashMap<>();
        if (keysById.isEmpty()) {
            return found;
        }
        BsonArray ids = new BsonArray(new ArrayList<>(keysById.size()));
        keysById.keySet().forEach(id -> ids.add(new BsonString(id)));
        BsonDocument filter = new BsonDocument(Entries.ID, new BsonDocument("$in", ids));
        run("getMany", () -> {
            for (BsonDocument doc : collection.find(filter).projection(VALUE_AND_EXPIRY)) {
                if (expired(doc, storeClock.millis())) {
                    continue;
                }
                BsonValue id = doc.get(Entries.ID);
                String key =
                        id != null && id.isString() ? keysById.get(id.asString().getValue()) : null;
                if (key != null) {
                    found.put(key, Entries.value(doc));
                }
            }
            return null;
        });
        return found;
    }

    @Override
    public void setMany(String namespace, Map<String, byte[]> entries, Duration ttl) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(entries, "entries");
        Instant expiresAt = expiresAt(ttl);
        if (entries.isEmpty()) {
            return;
        }
        List<WriteModel<BsonDocument>> writes = new ArrayList<>(entries.size());
        // Every size is checked before anything is sent: an oversized value fails the call with nothing written.
        for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
            String id = Entries.id(namespace, Objects.requireNonNull(entry.getKey(), "key"));
            byte[] value = Objects.requireNonNull(entry.getValue(), "value");
            checkSize(id, namespace, value, expiresAt != null);
            writes.add(new ReplaceOneModel<>(byId(id), Entries.document(id, namespace, value, expiresAt), UPSERT));
        }
        run("setMany", () -> collection.bulkWrite(writes, UNORDERED));
    }

    /**
     * Returns the driver's client ({@link MongoClient}), the collection ({@code MongoCollection}, of {@code
     * BsonDocument}, with the operation timeout) or its database ({@link MongoDatabase}), the options, or this.
     */
    @Override
    public <T> T unwrap(Class<T> type) {
        if (type.isInstance(client)) {
            return type.cast(client);
        }
        if (type.isInstance(collection)) {
            return type.cast(collection);
        }
        if (type == MongoDatabase.class) {
            return type.cast(client.getDatabase(options.database()));
        }
        if (type.isInstance(options)) {
            return type.cast(options);
        }
        return super.unwrap(type);
    }

    /** Closes the owned client; a supplied client stays open. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && ownsClient) {
            client.close();
        }
    }

    @Override
    public String toString() {
        return "MongoBackend{" + where + "}";
    }

    // ------------------------------------------------------------------ helpers

    /** The driver's timeout in whole milliseconds, rounded up: at least 1 (0 would mean none). */
    private static long timeoutMillis(Duration timeout) {
        return Math.max(1, Ttls.millisRoundedUp(timeout));
    }

    /**
     * Whether a document read has expired: its {@code expiresAt} is a date not after {@code nowMillis}. A
     * document without one never expires, and one of another layout (a number there) is not taken for expired,
     * just as a query filter {@code {expiresAt: {$lte: now}}} would not match it.
     */
    private static boolean expired(BsonDocument doc, long nowMillis) {
        BsonValue expiresAt = doc.get(Entries.EXPIRES_AT);
        return expiresAt != null
                && expiresAt.isDateTime()
                && expiresAt.asDateTime().getValue() <= nowMillis;
    }

    private static BsonDocument byId(String id) {
        return new BsonDocument(Entries.ID, new BsonString(id));
    }

    /** The {@code expiresAt} of a write with {@code ttl}, rounded up to the millisecond; null for none. */
    private Instant expiresAt(Duration ttl) {
        if (Ttls.isNever(ttl, LONGEST_TTL)) {
            return null;
        }
        Instant deadline = Ttls.deadline(storeClock.instant(), ttl);
        Instant millis = Instant.ofEpochMilli(deadline.toEpochMilli());
        return millis.equals(deadline) ? millis : millis.plusMillis(1);
    }

    private static void checkSize(String id, String namespace, byte[] value, boolean expires) {
        long size = Entries.documentSize(id, namespace, value.length, expires);
        if (size > Entries.MAX_DOCUMENT_BYTES) {
            throw new CacheValueTooLargeException(
                    "mongodb: a value of " + value.length + " bytes makes a document of " + size
                            + " bytes, over MongoDB's limit of " + Entries.MAX_DOCUMENT_BYTES
                            + " bytes (16 MiB); nothing was written");
        }
    }

    private <T> T run(String operation, Supplier<T> work) {
        if (closed.get()) {
            throw new CacheBackendException("mongodb " + operation + " failed: the backend is closed");
        }
        try {
            return work.get();
        } catch (RuntimeException e) {
            throw MongoErrors.translate("mongodb " + operation, target, e, context.operationTimeout(), cluster);
        }
    }
}
