package io.cachekit.mongodb.internal;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexModel;
import com.mongodb.client.model.IndexOptions;
import io.cachekit.CacheBackendException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonValue;

/**
 * The two indexes the backend needs, checked and created at start:
 *
 * <ul>
 *   <li>{@code expiresAt_1}: {@code {expiresAt: 1}} with {@code expireAfterSeconds: 0}, a TTL index, so
 *       MongoDB's TTL monitor deletes each entry once its {@code expiresAt} has passed (entries without the
 *       field never expire);
 *   <li>{@code ns_1}: {@code {ns: 1}}, so that clearing a namespace deletes through the index instead of
 *       scanning the collection.
 * </ul>
 *
 * An index of the same name with another key or another {@code expireAfterSeconds} is an error that names
 * both, never silently used; so is a TTL index on {@code expiresAt} under another name with another
 * {@code expireAfterSeconds}. An index on {@code {ns: 1}} under another name serves as well.
 */
public final class IndexSetup {
    /** Name of the TTL index: MongoDB's default name for its key. */
    public static final String TTL_INDEX = Entries.EXPIRES_AT + "_1";
    /** Name of the namespace index: MongoDB's default name for its key. */
    public static final String NAMESPACE_INDEX = Entries.NAMESPACE + "_1";

    private static final BsonDocument TTL_KEY = new BsonDocument(Entries.EXPIRES_AT, new BsonInt32(1));
    private static final BsonDocument NAMESPACE_KEY = new BsonDocument(Entries.NAMESPACE, new BsonInt32(1));

    private IndexSetup() {}

    /** What {@link #missing} found: the indexes still to create, or the conflict that forbids going on. */
    public record Check(List<IndexModel> missing, String conflict) {}

    /**
     * Compares the collection's indexes with the two the backend needs. Reads the index list once (an absent
     * collection has none).
     */
    public static Check check(MongoCollection<BsonDocument> collection, String where) {
        List<BsonDocument> existing = collection.listIndexes(BsonDocument.class).into(new ArrayList<>());
        List<IndexModel> missing = new ArrayList<>();
        String conflict = checkOne(existing, TTL_INDEX, TTL_KEY, 0L, where, missing);
        if (conflict == null) {
            conflict = checkOne(existing, NAMESPACE_INDEX, NAMESPACE_KEY, null, where, missing);
        }
        return new Check(missing, conflict);
    }

    /** Creates {@code missing}; creating an index that another instance created meanwhile is not an error. */
    public static void create(MongoCollection<BsonDocument> collection, List<IndexModel> missing) {
        if (!missing.isEmpty()) {
            collection.createIndexes(missing);
        }
    }

    /** Fails when {@code check} found a conflict, or found indexes missing that may not be created. */
    public static void requireUsable(Check check, boolean mayCreate, String where) {
        if (check.conflict() != null) {
            throw new CacheBackendException(check.conflict());
        }
        if (!mayCreate && !check.missing().isEmpty()) {
            List<String> names = new ArrayList<>();
            for (IndexModel model : check.missing()) {
                names.add(describe(model.getOptions().getName(), model.getKeys().toBsonDocument(), ttlOf(model)));
            }
            throw new CacheBackendException("mongodb: " + where + " lacks the index(es) " + String.join(" and ", names)
                    + ", and createIndexes is false: create them, or let Cachekit do it (createIndexes=true)");
        }
    }

    private static String checkOne(
            List<BsonDocument> existing,
            String name,
            BsonDocument key,
            Long expireAfterSeconds,
            String where,
            List<IndexModel> missing) {
        String wanted = describe(name, key, expireAfterSeconds);
        for (BsonDocument index : existing) {
            if (name.equals(stringOf(index.get("name")))) {
                BsonDocument theirKey = index.getDocument("key", new BsonDocument());
                Long theirTtl = longOf(index.get("expireAfterSeconds"));
                if (sameKey(theirKey, key) && Objects.equals(theirTtl, expireAfterSeconds)) {
                    return null;
                }
                return conflict(where, describe(name, theirKey, theirTtl), wanted);
            }
        }
        for (BsonDocument index : existing) {
            BsonDocument theirKey = index.getDocument("key", new BsonDocument());
            if (sameKey(theirKey, key)) {
                Long theirTtl = longOf(index.get("expireAfterSeconds"));
                if (expireAfterSeconds == null || expireAfterSeconds.equals(theirTtl)) {
                    return null;
                }
                return conflict(where, describe(stringOf(index.get("name")), theirKey, theirTtl), wanted);
            }
        }
        IndexOptions options = new IndexOptions().name(name);
        if (expireAfterSeconds != null) {
            options.expireAfter(expireAfterSeconds, TimeUnit.SECONDS);
        }
        missing.add(new IndexModel(key, options));
        return null;
    }

    private static String conflict(String where, String found, String wanted) {
        return "mongodb: " + where + " has the index " + found + ", but Cachekit needs " + wanted
                + " (a TTL index deletes each entry at its expiresAt; the ns index serves clear): drop that index, or"
                + " use another collection";
    }

    private static Long ttlOf(IndexModel model) {
        Long seconds = model.getOptions().getExpireAfter(TimeUnit.SECONDS);
        return seconds;
    }

    private static String describe(String name, BsonDocument key, Long expireAfterSeconds) {
        return "'" + name + "' " + key.toJson()
                + (expireAfterSeconds == null ? "" : " with expireAfterSeconds " + expireAfterSeconds);
    }

    /** Same fields in the same order, each ascending (1, 1L or 1.0). */
    private static boolean sameKey(BsonDocument theirs, BsonDocument ours) {
        if (!new ArrayList<>(theirs.keySet()).equals(new ArrayList<>(ours.keySet()))) {
            return false;
        }
        for (String field : ours.keySet()) {
            BsonValue v = theirs.get(field);
            if (!v.isNumber() || v.asNumber().doubleValue() != 1.0) {
                return false;
            }
        }
        return true;
    }

    private static String stringOf(BsonValue value) {
        return value != null && value.isString() ? value.asString().getValue() : null;
    }

    private static Long longOf(BsonValue value) {
        return value != null && value.isNumber() ? value.asNumber().longValue() : null;
    }
}
