package io.cachekit.memory;

import io.cachekit.spi.UriOptions;
import java.util.Set;

/**
 * Settings of the {@link MemoryBackend}: its bound and how it holds values.
 *
 * <p>Immutable and thread-safe; built with {@link #builder()}, whose setters reject invalid values at once.
 * From a URI: {@code memory://?maxSize=10000}, {@code memory://?maxWeightBytes=67108864&storeByValue=true}.
 */
public final class MemoryBackendOptions {
    /** Query options of {@code memory://} URIs. */
    public static final Set<String> URI_OPTIONS = Set.of("maxSize", "maxWeightBytes", "storeByValue");

    private final long maxSize;
    private final long maxWeightBytes;
    private final boolean storeByValue;

    private MemoryBackendOptions(Builder b) {
        this.maxSize = b.maxSize;
        this.maxWeightBytes = b.maxWeightBytes;
        this.storeByValue = b.storeByValue;
    }

    /** A builder with the defaults: at most 10,000 entries, by reference. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults. */
    public static MemoryBackendOptions defaults() {
        return builder().build();
    }

    /** Reads the query options of a {@code memory://} URI. */
    public static MemoryBackendOptions fromUri(UriOptions options) {
        Builder b = builder();
        if (options.get("maxWeightBytes") != null) {
            b.maxWeightBytes(options.getLong("maxWeightBytes", 0));
        }
        if (options.get("maxSize") != null) {
            b.maxSize(options.getLong("maxSize", 0));
        }
        b.storeByValue(options.getBoolean("storeByValue", false));
        return b.build();
    }

    /** The most entries kept, or 0 when the bound is by weight. */
    public long maxSize() {
        return maxSize;
    }

    /** The most bytes of encoded values kept, or 0 when the bound is by entry count. */
    public long maxWeightBytes() {
        return maxWeightBytes;
    }

    /** Whether values are encoded on write and decoded on read (copies), rather than held by reference. */
    public boolean storeByValue() {
        return storeByValue;
    }

    @Override
    public String toString() {
        return "MemoryBackendOptions{maxSize=" + maxSize + ", maxWeightBytes=" + maxWeightBytes + ", storeByValue="
                + storeByValue + "}";
    }

    /** Builds {@link MemoryBackendOptions}. Not thread-safe. */
    public static final class Builder {
        private long maxSize = 10_000;
        private long maxWeightBytes;
        private boolean storeByValue;

        private Builder() {}

        /** Bounds the cache by entry count (least valuable entries are evicted first, W-TinyLFU). */
        public Builder maxSize(long maxSize) {
            if (maxSize <= 0) {
                throw new IllegalArgumentException("maxSize must be positive, got " + maxSize);
            }
            this.maxSize = maxSize;
            this.maxWeightBytes = 0;
            return this;
        }

        /**
         * Bounds the cache by the bytes of its encoded values instead of entry count. Requires {@link
         * #storeByValue(boolean) storeByValue}: only encoded values have a known size.
         */
        public Builder maxWeightBytes(long maxWeightBytes) {
            if (maxWeightBytes <= 0) {
                throw new IllegalArgumentException("maxWeightBytes must be positive, got " + maxWeightBytes);
            }
            this.maxWeightBytes = maxWeightBytes;
            this.maxSize = 0;
            return this;
        }

        /**
         * Store encoded copies instead of references: a hit then costs a decode, but callers can no longer
         * change a cached value by mutating the object they stored or received.
         */
        public Builder storeByValue(boolean storeByValue) {
            this.storeByValue = storeByValue;
            return this;
        }

        /** @throws IllegalArgumentException when a weight bound is set without store-by-value */
        public MemoryBackendOptions build() {
            if (maxWeightBytes > 0 && !storeByValue) {
                throw new IllegalArgumentException(
                        "maxWeightBytes needs storeByValue=true: values held by reference have no known size");
            }
            return new MemoryBackendOptions(this);
        }
    }
}
