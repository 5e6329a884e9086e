package io.cachekit.mongodb.internal;

import io.cachekit.spi.StoredKeys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * The layout of a cache entry as a MongoDB document, in one place:
 *
 * <pre>{@code
 * { _id: "<namespace>:<key>" or "<namespace>#<digest>", ns: "<namespace>", value: BinData(0, ...), expiresAt: ISODate(...) }
 * }</pre>
 *
 * {@code expiresAt} is absent for an entry that never expires. Stateless and thread-safe.
 */
public final class Entries {
    /** Field names. */
    public static final String ID = "_id";

    public static final String NAMESPACE = "ns";
    public static final String VALUE = "value";
    public static final String EXPIRES_AT = "expiresAt";

    /**
     * Longest {@code _id} kept readable, in UTF-8 bytes; longer ones (and keys with control characters or
     * unpaired surrogates) become {@code <namespace>#<SHA-256>}. Below the 1024-byte index key limit that
     * MongoDB enforced before 4.2 (and still enforces with an older feature compatibility version), with room
     * for the index entry's own bytes.
     */
    public static final int MAX_ID_BYTES = 1000;

    /** MongoDB's largest BSON document, 16 MiB ({@code maxBsonObjectSize}). */
    public static final int MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

    private Entries() {}

    /** The {@code _id} of {@code key} in {@code namespace}: readable when it can be, a digest otherwise. */
    public static String id(String namespace, String key) {
        return StoredKeys.readableOrDigest(namespace, key, MAX_ID_BYTES, Entries::readable);
    }

    /** Characters kept readable in an {@code _id}: anything but control characters (and surrogates). */
    private static boolean readable(int c) {
        return c >= 0x20 && c != 0x7F && !(c >= 0x80 && c < 0xA0);
    }

    /** The document of an entry; {@code expiresAt} null for no expiry. */
    public static BsonDocument document(String id, String namespace, byte[] value, Instant expiresAt) {
        BsonDocument doc = new BsonDocument(ID, new BsonString(id))
                .append(NAMESPACE, new BsonString(namespace))
                .append(VALUE, new BsonBinary(BsonBinarySubType.BINARY, value));
        if (expiresAt != null) {
            doc.append(EXPIRES_AT, new BsonDateTime(expiresAt.toEpochMilli()));
        }
        return doc;
    }

    /**
     * The exact BSON size of {@link #document}'s result, computed without encoding it: the document's
     * length and terminator, then per field its type byte, name, and value.
     */
    public static long documentSize(String id, String namespace, int valueLength, boolean expires) {
        long size = 4 + 1;
        size += 1 + (ID.length() + 1) + 4 + utf8Length(id) + 1;
        size += 1 + (NAMESPACE.length() + 1) + 4 + utf8Length(namespace) + 1;
        size += 1 + (VALUE.length() + 1) + 4 + 1 + (long) valueLength;
        if (expires) {
            size += 1 + (EXPIRES_AT.length() + 1) + 8;
        }
        return size;
    }

    /**
     * The stored bytes of a document found by its {@code _id}: its binary {@code value}, or, for a document of
     * another layout (no {@code value}, or one that is not generic binary), bytes that are no envelope, which
     * Cachekit counts as a corrupt entry, deletes, and reports as a miss.
     */
    public static byte[] value(BsonDocument doc) {
        BsonValue value = doc.get(VALUE);
        if (value != null && value.isBinary()) {
            BsonBinary binary = value.asBinary();
            if (binary.getType() == BsonBinarySubType.BINARY.getValue()
                    || binary.getType() == BsonBinarySubType.OLD_BINARY.getValue()) {
                return binary.getData();
            }
        }
        return new byte[0];
    }

    private static long utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
