package io.cachekit.redis;

import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.tck.CacheBackendContract;

/** The backend contract on a three-master Redis Cluster (ports 7101-7103 unless {@code cachekit.redis.cluster.ports} says otherwise). */
class RedisClusterBackendContractTest extends CacheBackendContract {

    @Override
    protected CacheBackend createBackend(BackendContext context) {
        return RedisTestServers.connect(RedisTestServers.clusterUri(), context);
    }
}
