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
 * copies the body once:
 *
 * <pre>
 * 'K' 'R' version(1) status(u16) storedAt(i64) expiresAt(i64) etag(str)
 * headerCount(i32) { name(str) valueCount(i32) { value(str) } } bodyLength(i32) body
 * str = length(i32) UTF-8 bytes
 * </pre>
 *
 * Stateless; not API.
 */
public final class StoredResponseCodec {
    private static final byte MAGIC_1 = 'K';
    private static final byte MAGIC_2 = 'R';
    private static final byte VERSION = 1;

    private StoredResponseCodec() {}

    public static byte[] encode(StoredResponse r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(r.body().length + 256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(MAGIC_1);
            out.writeByte(MAGIC_2);
            out.writeByte(VERSION);
            out.writeShort(r.status());
            out.writeLong(r.storedAtMillis());
            out.writeLong(r.expiresAtMillis());
            string(out, r.etag());
            out.writeInt(r.headers().size());
            for (Map.Entry<String, List<String>> h : r.headers().entrySet()) {
                string(out, h.getKey());
                out.writeInt(h.getValue().size());
                for (String v : h.getValue()) {
                    string(out, v);
                }
            }
            out.writeInt(r.body().length);
            out.write(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("unreachable: writing to memory", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Decodes a stored response.
     *
     * @throws IllegalArgumentException for bytes that are not a stored response of a known version
     */
    public static StoredResponse decode(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            if (in.get() != MAGIC_1 || in.get() != MAGIC_2 || in.get() != VERSION) {
                throw new IllegalArgumentException("Not a stored response of format version " + VERSION);
            }
            int status = in.getShort() & 0xFFFF;
            long storedAt = in.getLong();
            long expiresAt = in.getLong();
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
            byte[] body = new byte[count(in)];
            in.get(body);
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("Trailing bytes after a stored response");
            }
            return new StoredResponse(status, headers, body, etag, storedAt, expiresAt);
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

    private static int count(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("Corrupt length " + n + " in a stored response");
        }
        return n;
    }
}
