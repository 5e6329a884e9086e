package io.cachekit.codec;

import java.lang.reflect.Type;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON through Jackson: the default codec of remote backends.
 *
 * <p>Values are written without type information and read back into the declared type, so a cached entry
 * cannot name a class to instantiate. Records, beans, collections, {@code Optional} and {@code java.time}
 * types work out of the box; customise through {@link #JsonCodec(JsonMapper)}. Unknown properties are
 * ignored on read, so adding a field to a cached type does not turn old entries into errors.
 *
 * <p>Immutable and thread-safe; readers per type are cached.
 */
public final class JsonCodec implements Codec {
    /** The id of entries written by this codec. */
    public static final int ID = 3;

    private final JsonMapper mapper;
    private final ObjectWriter writer;
    private final ConcurrentMap<Type, ObjectReader> readers = new ConcurrentHashMap<>();

    /** A codec on a default mapper that ignores unknown properties. */
    public JsonCodec() {
        this(JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build());
    }

    /**
     * A codec on the given mapper. Do not enable default typing on it: type information in cached bytes would
     * let whoever can write to the store choose classes to instantiate.
     */
    public JsonCodec(JsonMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.writer = mapper.writer();
    }

    @Override
    public int id() {
        return ID;
    }

    @Override
    public String name() {
        return "json";
    }

    @Override
    public byte[] encode(Object value) {
        return writer.writeValueAsBytes(value);
    }

    @Override
    public Object decode(byte[] bytes, int offset, int length, Type type) {
        ObjectReader reader = readers.get(type);
        if (reader == null) {
            JavaType javaType = mapper.getTypeFactory().constructType(type);
            reader = readers.computeIfAbsent(type, t -> mapper.readerFor(javaType));
        }
        return reader.readValue(bytes, offset, length);
    }

    /** The mapper, for key encoding of arguments that need it. */
    public JsonMapper mapper() {
        return mapper;
    }
}
