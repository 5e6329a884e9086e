package io.cachekit.postgres;

import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.tck.CacheBackendContract;

/**
 * The PostgreSQL backend passes the backend contract, every capability included: reads filter on the
 * database's clock, so an expired row is never returned even before the purge deletes it.
 */
class PostgresBackendContractTest extends CacheBackendContract {

    @Override
    protected CacheBackend createBackend(BackendContext context) {
        return PostgresBackend.create(TestDatabase.options("cachekit_contract").build(), context);
    }
}
