package io.cachekit.memcached;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.Cache;
import io.cachekit.memcached.internal.MemcachedKeys;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.tck.CacheBackendContract;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The backend contract across the two servers of {@code scripts/servers/memcached.sh start} (ports 11311 and
 * 11312 unless {@code cachekit.memcached.servers} says otherwise).
 */
class MemcachedBackendContractTest extends CacheBackendContract {

    @Override
    protected CacheBackend createBackend(BackendContext context) {
        return MemcachedTestServers.connect(MemcachedTestServers.uri(), context);
    }

    @Test
    void keysLandOnBothServers() {
        List<RawMemcached> servers = MemcachedTestServers.raw();
        assertThat(servers).as("the contract runs across two servers").hasSizeGreaterThanOrEqualTo(2);
        Cache cache = newCache();
        int count = 64;
        for (int i = 0; i < count; i++) {
            cache.set("spread-" + i, "v" + i);
        }
        int[] held = new int[servers.size()];
        for (int i = 0; i < count; i++) {
            String storedKey = MemcachedKeys.entry(cache.namespace(), "spread-" + i);
            int holders = 0;
            for (int s = 0; s < servers.size(); s++) {
                if (servers.get(s).has(storedKey)) {
                    held[s]++;
                    holders++;
                }
            }
            assertThat(holders).as("spread-%d is on exactly one server", i).isEqualTo(1);
            assertThat(cache.get("spread-" + i, String.class)).isEqualTo("v" + i);
        }
        for (int s = 0; s < servers.size(); s++) {
            assertThat(held[s])
                    .as("entries on server %d", servers.get(s).port())
                    .isPositive();
        }
    }
}
