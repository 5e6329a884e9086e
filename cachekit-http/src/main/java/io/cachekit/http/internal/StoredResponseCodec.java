package io.cachekit.http.internal;

import io.cachekit.http.StoredResponse;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compact binary form of a {@link StoredResponse}, stored as bytes so that a hit decodes no JSON and
 * copies each body once:
 *
 * <pre>
 * 'K' 'R' version(2) status(u16) storedAt(i64) freshUntil(i64) staleWhileRevalidate(i64) staleIfError(i64)
 * etag(str) headerCount(i32) { name(str) valueCount(i32) { value(str) } } tagCount(i32) { tag(str) }
 * bodyLength(i32) body gzipLength(i32, -1 for none) gzip
 * str = length(i32) UTF-8 bytes
 * </pre>
 *
 * Entries of another version are unreadable, and so deleted and missed. Stateless; not API.
 */
public final class StoredResponseCodec {
    private static final byte MAGIC_1 = 'K';
    private static final byte MAGIC_2 = 'R';
    private static final byte VERSION = 2;

    private StoredResponseCodec() {}

    /** The stored form of {@code r}. */
    public static byte[] encode(StoredResponse r) {
        int gzipLength = r.gzipBody() == null ? 0 : r.gzipBody().length;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(r.body().length + gzipLength + 256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(MAGIC_1);
            out.writeByte(MAGIC_2);
            out.writeByte(VERSION);
            out.writeShort(r.status());
            out.writeLong(r.storedAtMillis());
            out.writeLong(r.freshUntilMillis());
            out.writeLong(r.staleWhileRevalidateMillis());
            out.writeLong(r.staleIfErrorMillis());
            string(out, r.etag());
            out.writeInt(r.headers().size());
            for (Map.Entry<String, List<String>> h : r.headers().entrySet()) {
                string(out, h.getKey());
                out.writeInt(h.getValue().size());
                for (String v : h.getValue()) {
                    string(out, v);
                }
            }
            out.writeInt(r.tags().size());
            for (String tag : r.tags()) {
                string(out, tag);
            }
            out.writeInt(r.body().length);
            out.write(r.body());
            if (r.gzipBody() == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(r.gzipBody().length);
                out.write(r.gzipBody());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreachable: writing to memory", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Decodes a stored response.
     *
     * @throws IllegalArgumentException for bytes that are not a stored response of the current version
     */
    public static StoredResponse decode(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            if (in.get() != MAGIC_1 || in.get() != MAGIC_2 || in.get() != VERSION) {
                throw new IllegalArgumentException("Not a stored response of format version " + VERSION);
            }
            int status = in.getShort() & 0xFFFF;
            long storedAt = in.getLong();
            long freshUntil = in.getLong();
            long staleWhileRevalidate = in.getLong();
            long staleIfError = in.getLong();
            String etag = string(in);
            int headerCount = count(in);
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 0; i < headerCount; i++) {
                String name = string(in);
                int valueCount = count(in);
                List<String> values = new ArrayList<>(valueCount);
                for (int j = 0; j < valueCount; j++) {
                    values.add(string(in));
                }
                headers.put(name, values);
            }
            int tagCount = count(in);
            List<String> tags = new ArrayList<>(tagCount);
            for (int i = 0; i < tagCount; i++) {
                tags.add(string(in));
            }
            byte[] body = new byte[count(in)];
            in.get(body);
            int gzipLength = in.getInt();
            byte[] gzip = null;
            if (gzipLength != -1) {
                in.position(in.position() - 4);
                gzip = new byte[count(in)];
                in.get(gzip);
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("Trailing bytes after a stored response");
            }
            return new StoredResponse(
                    status, headers, body, gzip, etag, tags, storedAt, freshUntil, staleWhileRevalidate, staleIfError);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("Truncated stored response", e);
        }
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String string(ByteBuffer in) {
        byte[] b = new byte[count(in)];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Reads a length or count, which must fit in what remains of the input. */
    static int count(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("Corrupt length " + n + " in a stored entry");
        }
        return n;
    }
}
