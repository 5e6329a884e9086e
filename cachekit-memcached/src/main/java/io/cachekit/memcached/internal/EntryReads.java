package io.cachekit.memcached.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.exception.MemcachedException;

/**
 * Reads of entries, each checked against its server's namespace generation ({@link StoredEntry}, {@link
 * Generations}). A get whose generation this process asked for within the read reuse time fetches the entry
 * alone; otherwise, and whenever the entry's generation is another one, it fetches the entry and the counter in
 * one multi-get to their server. Keys are stored keys, already mapped. Not API; thread-safe.
 */
public final class EntryReads {
    private final MemcachedClient client;
    private final Generations generations;
    private final MemcachedErrors errors;
    private final long timeoutNanos;

    /**
     * @param client the client that reads
     * @param generations what this process last saw of each counter
     * @param errors where failures become Cachekit's exceptions
     * @param timeoutNanos the operation timeout, which one read's calls share
     */
    public EntryReads(MemcachedClient client, Generations generations, MemcachedErrors errors, long timeoutNanos) {
        this.client = client;
        this.generations = generations;
        this.errors = errors;
        this.timeoutNanos = timeoutNanos;
    }

    /** Cachekit's bytes of the entry at {@code storedKey}, whose server's counter is {@code generationKey}. */
    public byte[] get(String storedKey, String generationKey) {
        long deadline = System.nanoTime() + timeoutNanos;
        Long known = generations.readable(generationKey, System.nanoTime());
        if (known != null) {
            // One key: xmemcached merges it with other threads' gets to the server, as a plain get.
            byte[] stored = single(storedKey, deadline);
            if (stored == null || !StoredEntry.isWrapped(stored)) {
                return StoredEntry.read(stored, known);
            }
            // Trusted only if the generation is still within its reuse time now that the answer is in: a clear
            // that began after it was asked for has then not returned yet.
            if (StoredEntry.generation(stored) == known
                    && known.equals(generations.readable(generationKey, System.nanoTime()))) {
                return StoredEntry.read(stored, known);
            }
            // Another generation (a clear since, or a counter made again): ask the server for both.
        }
        long askedAt = System.nanoTime();
        Map<String, byte[]> found = multi("get", List.of(storedKey, generationKey), deadline);
        Long generation = Generations.parse(found.get(generationKey));
        generations.saw(generationKey, generation, askedAt);
        return StoredEntry.read(found.get(storedKey), generation);
    }

    /**
     * Cachekit's bytes of the live entries among the keys of {@code generationKeyOf} (stored key to its server's
     * counter), by stored key: one multi-get per server of the entries and their counters.
     */
    public Map<String, byte[]> getMany(Map<String, String> generationKeyOf) {
        Set<String> generationKeys = new LinkedHashSet<>(generationKeyOf.values());
        List<String> all = new ArrayList<>(generationKeyOf.size() + generationKeys.size());
        all.addAll(generationKeyOf.keySet());
        all.addAll(generationKeys);
        long askedAt = System.nanoTime();
        Map<String, byte[]> found = multi("getMany", all, askedAt + timeoutNanos);
        Map<String, Long> current = new HashMap<>();
        for (String generationKey : generationKeys) {
            Long generation = Generations.parse(found.get(generationKey));
            generations.saw(generationKey, generation, askedAt);
            if (generation != null) {
                current.put(generationKey, generation);
            }
        }
        Map<String, byte[]> result = new HashMap<>();
        generationKeyOf.forEach((storedKey, generationKey) -> {
            byte[] value = StoredEntry.read(found.get(storedKey), current.get(generationKey));
            if (value != null) {
                result.put(storedKey, value);
            }
        });
        return result;
    }

    /** The items at {@code keys} with their CAS values, in one multi-get per server, within {@code deadline}. */
    public Map<String, GetsResponse<byte[]>> gets(String operation, List<String> keys, long deadline) {
        try {
            Map<String, GetsResponse<byte[]>> found =
                    client.gets(keys, remainingMillis(deadline), RawBytesTranscoder.INSTANCE);
            return found == null ? Map.of() : found;
        } catch (TimeoutException | InterruptedException | MemcachedException | RuntimeException e) {
            throw errors.map(operation, e);
        }
    }

    private byte[] single(String storedKey, long deadline) {
        try {
            return client.get(storedKey, remainingMillis(deadline), RawBytesTranscoder.INSTANCE);
        } catch (TimeoutException | InterruptedException | MemcachedException | RuntimeException e) {
            throw errors.map("get", e);
        }
    }

    private Map<String, byte[]> multi(String operation, List<String> keys, long deadline) {
        try {
            // xmemcached groups the keys by server and sends one multi-get to each, all before it waits.
            Map<String, byte[]> found = client.get(keys, remainingMillis(deadline), RawBytesTranscoder.INSTANCE);
            return found == null ? Map.of() : found;
        } catch (TimeoutException | InterruptedException | MemcachedException | RuntimeException e) {
            throw errors.map(operation, e);
        }
    }

    /** What is left of {@code deadline} in milliseconds, at least 1. */
    static long remainingMillis(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }
}
