package io.cachekit.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Objects;

/**
 * Java serialization, only for users who opt in with an allow-list of the classes that may be read back.
 *
 * <p>Deserializing bytes from a shared store runs code chosen by whoever could write to it, so every read
 * goes through an {@link ObjectInputFilter}: classes outside the allow-list (patterns in the syntax of
 * {@link ObjectInputFilter.Config#createFilter}, e.g. {@code com.example.model.*} or {@code
 * com.example.**}) are rejected, as are graphs deeper or larger than set limits. Common {@code java.lang},
 * {@code java.util} and {@code java.time} value classes are allowed in addition.
 *
 * <p>Immutable and thread-safe.
 */
public final class JdkSerializationCodec implements Codec {
    /** The id of entries written by this codec. */
    public static final int ID = 4;

    private static final List<String> JDK_VALUE_CLASSES = List.of(
            "java.lang.*", "java.util.*", "java.time.*", "java.math.*", "java.net.URI", "java.util.concurrent.*");

    private final ObjectInputFilter filter;
    private final String allowList;

    private JdkSerializationCodec(List<String> patterns) {
        if (patterns.isEmpty()) {
            throw new IllegalArgumentException("JDK serialization needs an allow-list of class patterns");
        }
        for (String p : patterns) {
            Objects.requireNonNull(p, "pattern");
            if (p.isBlank() || p.contains(";") || p.startsWith("!") || p.contains("=")) {
                throw new IllegalArgumentException("Allow-list entries are class name patterns such as "
                        + "com.example.* or com.example.**; got '" + p + "'");
            }
        }
        this.allowList = String.join(";", patterns);
        this.filter = ObjectInputFilter.Config.createFilter("maxdepth=64;maxrefs=100000;maxarray=10000000;"
                + String.join(";", JDK_VALUE_CLASSES) + ";" + allowList + ";!*");
    }

    /**
     * A codec that reads back only classes matching {@code patterns} (and JDK value classes).
     *
     * @throws IllegalArgumentException when no pattern is given or one is malformed
     */
    public static JdkSerializationCodec allowing(String... patterns) {
        return new JdkSerializationCodec(List.of(patterns));
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "jdk";
    }

    @Override
    public byte[] encode(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (ObjectOutputStream oos = new ObjectOutputStream(out)) {
            oos.writeObject(value);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot serialize " + value.getClass().getName(), e);
        }
        return out.toByteArray();
    }

    @Override
    public Object decode(byte[] bytes, int offset, int length, Type type) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes, offset, length))) {
            in.setObjectInputFilter(filter);
            return in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("Cannot deserialize entry (allowed: " + allowList + ")", e);
        }
    }
}
