package io.cachekit.memcached.internal;

import net.rubyeye.xmemcached.transcoders.CachedData;
import net.rubyeye.xmemcached.transcoders.CompressionMode;
import net.rubyeye.xmemcached.transcoders.Transcoder;

/**
 * Stores byte arrays as they are, with flags 0: no serialization, no compression, no type marker, so other
 * clients read exactly the bytes written. Not API; stateless and thread-safe.
 */
public final class RawBytesTranscoder implements Transcoder<byte[]> {
    /** The one instance. */
    public static final RawBytesTranscoder INSTANCE = new RawBytesTranscoder();

    private RawBytesTranscoder() {}

    /**
     * The bytes as they are. Their size is not checked here: {@code new CachedData(flags, bytes)} would refuse
     * anything over xmemcached's own 1 MiB ({@code xmemcached.cached.data.size.max}), whatever the servers' item
     * size; the backend checks {@code maxValueBytes} before it sends, and the server refuses what it cannot hold.
     */
    @Override
    public CachedData encode(byte[] value) {
        return new CachedData(0, value, value.length, -1);
    }

    @Override
    public byte[] decode(CachedData data) {
        return data.getData();
    }

    @Override
    public void setPrimitiveAsString(boolean primitiveAsString) {}

    @Override
    public void setPackZeros(boolean packZeros) {}

    @Override
    public void setCompressionThreshold(int threshold) {}

    @Override
    public boolean isPrimitiveAsString() {
        return false;
    }

    @Override
    public boolean isPackZeros() {
        return false;
    }

    @Override
    public void setCompressionMode(CompressionMode compressionMode) {}
}
