package io.cachekit.http.internal;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the cache knows of one URL, stored under its {@link RequestKeys#urlKey}: a random token that every
 * variant key of the URL contains, and the request headers its responses vary on (their {@code Vary}).
 *
 * <p>Deleting the record makes every stored response of the URL unreachable at once (they expire by their
 * TTL), which is how a write or a purge invalidates all of a URL's variants without knowing them. A record
 * is never rewritten with the token it had: a response produced before an invalidation can then never bring
 * back the entries the invalidation removed.
 *
 * <p>Stored as {@code 'K' 'U' version(1) expiresAt(i64) token(str) count(i32) {name(str)}}, str = length
 * (i32) and UTF-8 bytes. Immutable; not API.
 *
 * @param token the URL's current token
 * @param varyNames the header names of the stored responses' {@code Vary}, lower case and sorted
 * @param expiresAtMillis when the record expires, epoch milliseconds of the cache's clock
 */
public record UrlRecord(String token, List<String> varyNames, long expiresAtMillis) {
    private static final byte VERSION = 1;

    public UrlRecord {
        Objects.requireNonNull(token, "token");
        varyNames = List.copyOf(varyNames);
    }

    /** A record with a new random token. */
    public static UrlRecord create(List<String> varyNames, long expiresAtMillis) {
        byte[] random = new byte[12];
        ThreadLocalRandom.current().nextBytes(random);
        return new UrlRecord(
                Base64.getUrlEncoder().withoutPadding().encodeToString(random), varyNames, expiresAtMillis);
    }

    /** The stored form. */
    public byte[] encode() {
        List<byte[]> strings = new ArrayList<>();
        strings.add(token.getBytes(StandardCharsets.UTF_8));
        varyNames.forEach(n -> strings.add(n.getBytes(StandardCharsets.UTF_8)));
        int size = 3 + 8 + 4 + strings.stream().mapToInt(b -> 4 + b.length).sum();
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) 'K').put((byte) 'U').put(VERSION).putLong(expiresAtMillis);
        put(out, strings.get(0));
        out.putInt(varyNames.size());
        for (int i = 1; i < strings.size(); i++) {
            put(out, strings.get(i));
        }
        return out.array();
    }

    /**
     * Reads a stored record.
     *
     * @throws IllegalArgumentException for bytes that are not a record of a known version
     */
    public static UrlRecord decode(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            if (in.get() != 'K' || in.get() != 'U' || in.get() != VERSION) {
                throw new IllegalArgumentException("Not a URL record of format version " + VERSION);
            }
            long expiresAt = in.getLong();
            String token = string(in);
            int count = StoredResponseCodec.count(in);
            List<String> names = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                names.add(string(in));
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("Trailing bytes after a URL record");
            }
            return new UrlRecord(token, names, expiresAt);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("Truncated URL record", e);
        }
    }

    private static void put(ByteBuffer out, byte[] bytes) {
        out.putInt(bytes.length).put(bytes);
    }

    private static String string(ByteBuffer in) {
        byte[] b = new byte[StoredResponseCodec.count(in)];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
