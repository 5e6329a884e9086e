package io.cachekit.http.internal;

import io.cachekit.Cache;
import io.cachekit.CacheException;
import io.cachekit.http.StoredResponse;
import io.cachekit.memory.MemoryBackend;
import io.cachekit.spi.WarningLimiter;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reads and writes the two levels of stored responses in a {@link Cache}: a {@link UrlRecord} per URL, and
 * under keys that contain its token, the URL's {@link StoredResponse}s (see {@link RequestKeys}).
 *
 * <p>Over an in-memory backend that holds references, records and responses are stored as the objects they are
 * (both immutable), so that a hit decodes and copies nothing, not even a large body; over any other backend they
 * are stored in their binary form ({@link UrlRecord#encode}, {@link StoredResponseCodec}).
 *
 * <p>Reads and writes fail open: a failed read is a miss, a failed write is skipped, and each failure is
 * counted in the cache's statistics and logged at a limited rate. Entries that cannot be decoded are deleted
 * and missed. Thread-safe; not API.
 */
public final class ResponseStore {
    private final Cache cache;
    private final WarningLimiter warnings;
    /** Whether entries are kept as objects (see the class comment), else as bytes. */
    private final boolean objects;

    /**
     * @param cache the namespace that holds the responses
     * @param warnings where failures are logged
     */
    public ResponseStore(Cache cache, WarningLimiter warnings) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.warnings = Objects.requireNonNull(warnings, "warnings");
        this.objects = holdsReferences(cache);
    }

    private static boolean holdsReferences(Cache cache) {
        try {
            return cache.unwrap(MemoryBackend.class).storesReferences();
        } catch (RuntimeException e) {
            // Another backend (IllegalArgumentException), or a remote one still connecting in the background, whose
            // unwrap fails until it is connected (an in-memory backend never waits for a connection).
            return false;
        }
    }

    /**
     * What a lookup found.
     *
     * @param record the URL's record, or null when it has none (or the read failed)
     * @param variantKey the key of the request's variant under {@code record}, or null without a record
     * @param entry the stored response that may still be served (fresh or stale), or null
     * @param failed whether a read failed, so that the store could not tell
     */
    public record Lookup(UrlRecord record, String variantKey, StoredResponse entry, boolean failed) {}

    /**
     * Where a response was written.
     *
     * @param record the URL's record it was written under (a new one when the old one did not fit it)
     * @param variantKey its key
     * @param stored whether the store took it (false when the write failed)
     */
    public record Written(UrlRecord record, String variantKey, boolean stored) {}

    /**
     * Reads the URL's record and, if {@code withEntry}, the variant {@code variantKey} gives for it.
     *
     * @param variantKey the request's variant key under a record
     */
    public Lookup lookup(String urlKey, Function<UrlRecord, String> variantKey, boolean withEntry, long nowMillis) {
        UrlRecord record;
        try {
            record = readRecord(urlKey, nowMillis);
        } catch (CacheException e) {
            warnings.warn("Response cache read failed, serving from the handler", e);
            return new Lookup(null, null, null, true);
        }
        if (record == null) {
            return new Lookup(null, null, null, false);
        }
        String key = variantKey.apply(record);
        if (!withEntry) {
            return new Lookup(record, key, null, false);
        }
        try {
            return new Lookup(record, key, readEntry(key, nowMillis), false);
        } catch (CacheException e) {
            warnings.warn("Response cache read failed, serving from the handler", e);
            return new Lookup(record, key, null, true);
        }
    }

    private UrlRecord readRecord(String urlKey, long nowMillis) {
        UrlRecord record;
        try {
            record = objects ? stored(urlKey, UrlRecord.class) : decoded(urlKey, UrlRecord::decode);
        } catch (IllegalArgumentException e) {
            unreadable(urlKey, e);
            return null;
        }
        return record != null && record.expiresAtMillis() > nowMillis ? record : null;
    }

    private StoredResponse readEntry(String key, long nowMillis) {
        StoredResponse response;
        try {
            response = objects ? stored(key, StoredResponse.class) : decoded(key, StoredResponseCodec::decode);
        } catch (IllegalArgumentException e) {
            unreadable(key, e);
            return null;
        }
        return response != null && response.expiresAtMillis() > nowMillis ? response : null;
    }

    /**
     * The object under {@code key}, or null when there is none.
     *
     * @throws IllegalArgumentException when something else is stored there
     */
    private <T> T stored(String key, Class<T> type) {
        Object value = cache.get(key, Object.class);
        if (value == null || type.isInstance(value)) {
            return type.cast(value);
        }
        throw new IllegalArgumentException(
                "Not a " + type.getSimpleName() + ": a " + value.getClass().getName());
    }

    /**
     * The bytes under {@code key} decoded, or null when there are none.
     *
     * @throws IllegalArgumentException when they do not decode
     */
    private <T> T decoded(String key, Function<byte[], T> decoder) {
        byte[] bytes = cache.get(key, byte[].class);
        return bytes == null ? null : decoder.apply(bytes);
    }

    /** What a record or response is stored as: itself, or its binary form. */
    private Object storable(UrlRecord record) {
        return objects ? record : record.encode();
    }

    private Object storable(StoredResponse response) {
        if (!objects) {
            return StoredResponseCodec.encode(response);
        }
        // The body may be an array its producer still holds: the store keeps a copy, as the binary form does.
        return new StoredResponse(
                response.status(),
                response.headers(),
                response.body().clone(),
                response.gzipBody(),
                response.etag(),
                response.tags(),
                response.storedAtMillis(),
                response.freshUntilMillis(),
                response.staleWhileRevalidateMillis(),
                response.staleIfErrorMillis());
    }

    private void unreadable(String key, IllegalArgumentException e) {
        warnings.warn("Unreadable stored response deleted", e);
        try {
            cache.delete(key);
        } catch (CacheException failed) {
            warnings.warn("Response cache delete failed", failed);
        }
    }

    /**
     * Gives the URL a record before its first response is produced, so that an invalidation while the handler
     * runs removes it and with it what the handler is about to store. Returns the record that is in the store
     * (this one, or another request's), or null when the store failed or lost it again.
     */
    public UrlRecord createRecord(String urlKey, long ttlMillis, long nowMillis) {
        UrlRecord created = UrlRecord.create(List.of(), nowMillis + ttlMillis);
        try {
            if (cache.setIfAbsent(urlKey, storable(created), Duration.ofMillis(ttlMillis))) {
                return created;
            }
            return readRecord(urlKey, nowMillis);
        } catch (CacheException e) {
            warnings.warn("Response cache write failed, response served without caching", e);
            return null;
        }
    }

    /**
     * Writes {@code entry} under {@code record}. When the record names other Vary headers than the response,
     * or would expire before it, a new record (with a new token) replaces it first, so that the URL's other
     * variants are left behind rather than served under the wrong headers.
     *
     * @param varyNames the headers the response names in its {@code Vary}
     * @param variantKey the request's variant key under a record
     */
    public Written write(
            String urlKey,
            UrlRecord record,
            List<String> varyNames,
            Function<UrlRecord, String> variantKey,
            StoredResponse entry,
            long nowMillis) {
        long keepMillis = entry.expiresAtMillis() - nowMillis;
        UrlRecord target = record;
        try {
            if (!record.varyNames().equals(varyNames) || record.expiresAtMillis() < entry.expiresAtMillis()) {
                long recordMillis = Math.max(2 * keepMillis, record.expiresAtMillis() - nowMillis);
                target = UrlRecord.create(varyNames, nowMillis + recordMillis);
                cache.set(urlKey, storable(target), Duration.ofMillis(recordMillis));
            }
            String key = variantKey.apply(target);
            ResponseTagging.write(cache, key, storable(entry), Duration.ofMillis(keepMillis), entry.tags());
            return new Written(target, key, true);
        } catch (CacheException e) {
            warnings.warn("Response cache write failed, response served without caching", e);
            return new Written(target, variantKey.apply(target), false);
        }
    }

    /**
     * Deletes the URL's record, so that none of its stored responses is served again.
     *
     * @throws CacheException when the store fails
     */
    public void purge(String urlKey) {
        cache.delete(urlKey);
    }

    /**
     * Makes every response tagged with one of {@code tags} a miss.
     *
     * @throws CacheException when the store fails
     */
    public void purgeTags(Collection<String> tags) {
        ResponseTagging.invalidate(cache, tags);
    }
}
