package io.cachekit.mongodb;

import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.tck.CacheBackendContract;
import io.cachekit.tck.ServerProcess;
import org.junit.jupiter.api.AfterAll;

/**
 * The MongoDB backend passes the backend contract, every capability included, against mongo-java-server in a
 * process of the test's own on port 27101 (system property {@code cachekit.mongodb.port}); {@code
 * -Dcachekit.mongodb.uri=mongodb://...} runs it against a real server instead.
 *
 * <p>mongo-java-server has no TTL monitor, so nothing here is ever deleted by the store: the contract's
 * real-time expiry test passes because every read drops a document whose {@code expiresAt}, which the backend
 * writes in real time, has passed; the clock-driven tests pass because Cachekit also checks the envelope's expiry against the
 * contract's clock.
 */
class MongoBackendContractTest extends CacheBackendContract {
    private static final String URI = System.getProperty("cachekit.mongodb.uri");
    private final ServerProcess server = WireProtocolServer.onPort(Integer.getInteger("cachekit.mongodb.port", 27101));

    @Override
    protected CacheBackend createBackend(BackendContext context) {
        String uri = URI;
        if (uri == null) {
            server.start();
            uri = WireProtocolServer.uri(server);
        }
        return MongoBackend.create(
                MongoBackendOptions.builder()
                        .connectionString(uri)
                        .database("cachekit_test")
                        .collection("contract")
                        .build(),
                context);
    }

    @AfterAll
    void stopServer() {
        server.close();
    }
}
