package io.cachekit.firestore.internal;

import com.google.cloud.Timestamp;
import com.google.cloud.firestore.Blob;
import com.google.cloud.firestore.DocumentSnapshot;
import com.google.protobuf.UnsafeByteOperations;
import io.cachekit.spi.StoredKeys;
import io.cachekit.spi.Ttls;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * How an entry is laid out as a Firestore document, and what such a document costs against Firestore's size
 * limit. Not API; stateless and thread-safe.
 *
 * <pre>
 * &lt;collection&gt;/&lt;id&gt;    id = URL-safe Base64 of SHA-256(namespace ":" key), 43 characters
 *   ns         string     the stored namespace (clear queries it)
 *   value      bytes      the entry's bytes, unchanged
 *   expiresAt  timestamp  the field of the TTL policy; null when the entry never expires
 * </pre>
 *
 * Every write sets all three fields, so that a write replaces an earlier expiry even on a store (such as a
 * third-party emulator) that would merge rather than replace. A null {@code expiresAt} is not a Timestamp, so
 * a TTL policy never deletes such a document.
 */
public final class DocumentLayout {
    /** The field holding the stored namespace. */
    public static final String NAMESPACE = "ns";
    /** The field holding the entry's bytes. */
    public static final String VALUE = "value";
    /** The field holding the absolute expiry, a Timestamp: the field of a Firestore TTL policy. */
    public static final String EXPIRES_AT = "expiresAt";

    /** Firestore's largest document: 1 MiB. */
    public static final int MAX_DOCUMENT_BYTES = 1024 * 1024;

    /**
     * Firestore's request limit is 10 MiB; the documents of one write batch are kept under this, which leaves
     * room for the request's own framing.
     */
    public static final int MAX_BATCH_BYTES = 9 * 1024 * 1024;

    /** The largest Timestamp Firestore stores; a later expiry is written as none. */
    static final Instant LATEST_TIMESTAMP = Instant.parse("9999-12-31T23:59:59.999999Z");

    /** What a read returns for a document that this layout cannot read: bytes that are no envelope. */
    private static final byte[] UNREADABLE = new byte[0];

    /** Per document: 32 bytes, plus the names of the three fields (each its UTF-8 length + 1). */
    private static final int FIXED_OVERHEAD = 32 + (NAMESPACE.length() + 1) + (VALUE.length() + 1);

    /** The expiry field: its name (UTF-8 length + 1) and a Timestamp value (8). */
    private static final int EXPIRY_BYTES = EXPIRES_AT.length() + 1 + 8;

    /** The expiry field of an entry that never expires: its name (UTF-8 length + 1) and a null value (1). */
    private static final int NO_EXPIRY_BYTES = EXPIRES_AT.length() + 1 + 1;

    private DocumentLayout() {}

    /**
     * The document id of a key: {@link StoredKeys#digest}, 43 URL-safe Base64 characters. Firestore reserves
     * ids of the form {@code __...__}; such a digest (about one in 16 million) gets a leading {@code ~}, a
     * character that Base64 never produces, so the mapping stays one-to-one.
     */
    public static String documentId(String namespace, String key) {
        return allowedId(StoredKeys.digest(namespace, key));
    }

    /** {@code digest}, or {@code ~digest} when it has Firestore's reserved form {@code __...__}. */
    static String allowedId(String digest) {
        if (digest.startsWith("__") && digest.endsWith("__")) {
            return "~" + digest;
        }
        return digest;
    }

    /** The fields of an entry's document. */
    public static Map<String, Object> fields(String namespace, byte[] value, Timestamp expiresAt) {
        Map<String, Object> fields = new HashMap<>(4);
        fields.put(NAMESPACE, namespace);
        // The array belongs to the backend once passed (see CacheBackend): no copy is needed.
        fields.put(VALUE, Blob.fromByteString(UnsafeByteOperations.unsafeWrap(value)));
        fields.put(EXPIRES_AT, expiresAt);
        return fields;
    }

    /**
     * The absolute expiry of an entry written at {@code now} with {@code ttl}, rounded up to Firestore's
     * microseconds so that it never expires early; {@code null} for no expiry, or for one past the latest
     * Timestamp Firestore stores (year 9999).
     */
    public static Timestamp expiresAt(Instant now, Duration ttl) {
        if (Ttls.check(ttl) == null) {
            return null;
        }
        Instant deadline = Ttls.deadline(now, ttl);
        if (deadline.isAfter(LATEST_TIMESTAMP)) {
            return null;
        }
        int nanos = deadline.getNano();
        int micros = (nanos + 999) / 1000;
        long seconds = deadline.getEpochSecond();
        if (micros == 1_000_000) {
            seconds++;
            micros = 0;
        }
        if (seconds > LATEST_TIMESTAMP.getEpochSecond()) {
            return null;
        }
        return Timestamp.ofTimeSecondsAndNanos(seconds, micros * 1000);
    }

    /**
     * The stored size of an entry's document by Firestore's rules (document name: each path segment's UTF-8
     * length + 1, plus 16; each field: its name's UTF-8 length + 1 plus its value, a string's UTF-8 length + 1,
     * bytes their length, a Timestamp 8, null 1; plus 32 per document).
     *
     * @param collectionNameBytes {@link #pathBytes} of the collection path
     */
    public static long documentBytes(
            int collectionNameBytes, String documentId, String namespace, int valueBytes, boolean expires) {
        long name = collectionNameBytes + utf8Length(documentId) + 1 + 16;
        return name
                + FIXED_OVERHEAD
                + utf8Length(namespace)
                + 1
                + (long) valueBytes
                + (expires ? EXPIRY_BYTES : NO_EXPIRY_BYTES);
    }

    /** The size that the segments of a collection path add to a document name: each UTF-8 length + 1. */
    public static int pathBytes(String collectionPath) {
        int n = 0;
        for (String segment : collectionPath.split("/", -1)) {
            n += utf8Length(segment) + 1;
        }
        return n;
    }

    /**
     * The entry's bytes from a document, or {@code null} when it is absent or expired at {@code now}. A
     * document whose fields have other types (written by something else) is returned as bytes that are no
     * envelope, so Cachekit counts it as corrupt and deletes it, never as an exception.
     */
    public static byte[] read(DocumentSnapshot document, Instant now) {
        if (document == null || !document.exists()) {
            return null;
        }
        Object expiresAt = document.get(EXPIRES_AT);
        if (expiresAt != null) {
            if (!(expiresAt instanceof Timestamp timestamp)) {
                return UNREADABLE.clone();
            }
            if (!Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos())
                    .isAfter(now)) {
                return null;
            }
        }
        if (document.get(VALUE) instanceof Blob blob) {
            return blob.toBytes();
        }
        return UNREADABLE.clone();
    }

    /**
     * Checks a collection path: an odd number of segments, each non-empty, at most 1,500 bytes of UTF-8,
     * neither {@code .} nor {@code ..}, and not of the reserved form {@code __...__}.
     *
     * @return {@code path}
     * @throws IllegalArgumentException naming what is wrong
     */
    public static String checkCollectionPath(String path) {
        String[] segments = path.split("/", -1);
        if (segments.length % 2 == 0) {
            throw new IllegalArgumentException("collection must be a collection id or a path with an odd number of"
                    + " segments (collection/document/collection), got '" + path + "'");
        }
        for (String segment : segments) {
            if (segment.isEmpty()
                    || segment.equals(".")
                    || segment.equals("..")
                    || (segment.length() >= 4 && segment.startsWith("__") && segment.endsWith("__"))
                    || utf8Length(segment) > 1500) {
                throw new IllegalArgumentException("collection path segment '" + segment + "' of '" + path
                        + "' is not allowed: segments are non-empty, at most 1500 bytes, not . or .., and not"
                        + " __reserved__");
            }
        }
        return path;
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
