package io.cachekit.redis;

import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.tck.CacheBackendContract;

/** The backend contract on a standalone Redis (port 6390 unless {@code cachekit.redis.port} says otherwise). */
class RedisBackendContractTest extends CacheBackendContract {

    @Override
    protected CacheBackend createBackend(BackendContext context) {
        return RedisTestServers.connect(RedisTestServers.standaloneUri(), context);
    }
}
