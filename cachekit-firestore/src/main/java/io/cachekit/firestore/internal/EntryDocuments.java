package io.cachekit.firestore.internal;

import com.google.cloud.Timestamp;
import com.google.cloud.firestore.CollectionReference;
import com.google.cloud.firestore.DocumentReference;
import com.google.cloud.firestore.DocumentSnapshot;
import com.google.cloud.firestore.FieldPath;
import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.Query;
import com.google.cloud.firestore.QueryDocumentSnapshot;
import com.google.cloud.firestore.QuerySnapshot;
import com.google.cloud.firestore.WriteBatch;
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

/**
 * The documents of entries in a backend's collection, as {@link DocumentLayout} lays them out: the document of a
 * key, a write checked against the size limit, the write batches of several entries, the reads of several keys,
 * and the pages and deletes of a namespace. Makes no call to Firestore. Not API; thread-safe.
 */
public final class EntryDocuments {
    private final Firestore firestore;
    private final CollectionReference collection;
    private final int collectionPathBytes;
    private final int batchSize;
    private final Clock clock;
    private final FirestoreErrors errors;

    /**
     * @param firestore the client, which makes the batches
     * @param collection the collection of the entries
     * @param batchSize the most documents of one write batch, and of one page of a namespace
     * @param clock the clock of expiry
     * @param errors makes the error of a document over the size limit
     */
    public EntryDocuments(Firestore firestore, String collection, int batchSize, Clock clock, FirestoreErrors errors) {
        this.firestore = firestore;
        this.collection = firestore.collection(collection);
        this.collectionPathBytes = DocumentLayout.pathBytes(collection);
        this.batchSize = batchSize;
        this.clock = clock;
        this.errors = errors;
    }

    /** A document to write, checked against the size limit, and its size by Firestore's rules. */
    public record Write(DocumentReference document, Map<String, Object> fields, long bytes) {}

    /** The documents of distinct keys, and which key each document id stands for. */
    public record Reads(DocumentReference[] documents, Map<String, String> keysById) {
        /** The live entries among {@code snapshots}, by key; expired and absent documents are left out. */
        public Map<String, byte[]> found(List<DocumentSnapshot> snapshots, Clock clock) {
            Map<String, byte[]> found = new HashMap<>();
            Instant now = clock.instant();
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

    /**
     * The document of a key in the collection.
     *
     * @throws NullPointerException if {@code namespace} or {@code key} is null
     */
    public DocumentReference document(String namespace, String key) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(key, "key");
        return collection.document(DocumentLayout.documentId(namespace, key));
    }

    /**
     * The document that stores an entry, expiring {@code ttl} from now on the clock ({@code null}: never).
     *
     * @throws NullPointerException if {@code namespace}, {@code key} or {@code value} is null
     * @throws io.cachekit.CacheValueTooLargeException when the document is over Firestore's 1 MiB limit
     */
    public Write write(String namespace, String key, byte[] value, Duration ttl, String operation) {
        DocumentReference document = document(namespace, key);
        Objects.requireNonNull(value, "value");
        Timestamp expiresAt = DocumentLayout.expiresAt(clock.instant(), ttl);
        long bytes = DocumentLayout.documentBytes(
                collectionPathBytes, document.getId(), namespace, value.length, expiresAt != null);
        if (bytes > DocumentLayout.MAX_DOCUMENT_BYTES) {
            throw errors.tooLarge(operation, bytes, value.length);
        }
        return new Write(document, DocumentLayout.fields(namespace, value, expiresAt), bytes);
    }

    /**
     * Batches of at most {@code batchSize} documents and {@link DocumentLayout#MAX_BATCH_BYTES} each. Every
     * document is checked before any batch is made, so that an oversized one writes nothing.
     *
     * @throws NullPointerException if {@code namespace}, {@code entries}, or a key or value in it is null
     * @throws io.cachekit.CacheValueTooLargeException when a document is over Firestore's 1 MiB limit
     */
    public List<WriteBatch> batches(String namespace, Map<String, byte[]> entries, Duration ttl) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(entries, "entries");
        List<Write> writes = new ArrayList<>(entries.size());
        entries.forEach((key, value) -> writes.add(write(namespace, key, value, ttl, "setMany")));
        List<WriteBatch> batches = new ArrayList<>();
        WriteBatch batch = null;
        int count = 0;
        long bytes = 0;
        for (Write write : writes) {
            if (batch == null || count == batchSize || bytes + write.bytes > DocumentLayout.MAX_BATCH_BYTES) {
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

    /**
     * The documents of the distinct {@code keys}.
     *
     * @throws NullPointerException if {@code namespace}, {@code keys} or a key in it is null
     */
    public Reads reads(String namespace, Collection<String> keys) {
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

    /**
     * The documents of a namespace, ids only, a page of at most {@code batchSize} at a time.
     *
     * @throws NullPointerException if {@code namespace} is null
     */
    public Query namespacePage(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        return collection
                .whereEqualTo(DocumentLayout.NAMESPACE, namespace)
                .select(FieldPath.documentId())
                .limit(batchSize);
    }

    /** One batch that deletes every document {@code found}. */
    public WriteBatch deletes(QuerySnapshot found) {
        WriteBatch batch = firestore.batch();
        for (QueryDocumentSnapshot document : found) {
            batch.delete(document.getReference());
        }
        return batch;
    }
}
