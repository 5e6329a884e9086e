package io.cachekit.tck;

import io.cachekit.memory.MemoryBackend;
import io.cachekit.memory.MemoryBackendOptions;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import java.util.EnumSet;
import java.util.Set;

/** The in-memory backend storing encoded copies, bounded by bytes, passes the contract. */
class MemoryByValueBackendContractTest extends CacheBackendContract {

    @Override
    protected CacheBackend createBackend(BackendContext context) {
        return new MemoryBackend(
                MemoryBackendOptions.builder()
                        .storeByValue(true)
                        .maxWeightBytes(256L * 1024 * 1024)
                        .build(),
                context);
    }

    @Override
    protected Set<BackendCapability> capabilities() {
        return EnumSet.noneOf(BackendCapability.class); // expiry runs on the configured clock
    }
}
