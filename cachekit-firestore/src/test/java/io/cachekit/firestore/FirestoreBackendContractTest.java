package io.cachekit.firestore;

import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.tck.BackendCapability;
import io.cachekit.tck.CacheBackendContract;
import java.util.EnumSet;
import java.util.Set;

/**
 * The backend contract on the Firestore emulator (127.0.0.1:8700 unless {@code cachekit.firestore.host} says
 * otherwise), in a collection of its own.
 */
class FirestoreBackendContractTest extends CacheBackendContract {

    @Override
    protected CacheBackend createBackend(BackendContext context) {
        return FirestoreTestEmulator.connect(FirestoreTestEmulator.uri(FirestoreTestEmulator.newCollection()), context);
    }

    /**
     * Firestore's TTL policy deletes expired documents up to a day late (and the emulator has none), and reads
     * filter expiry on the backend context's clock, which this suite stands still: no expiry in real time.
     */
    @Override
    protected Set<BackendCapability> capabilities() {
        return EnumSet.noneOf(BackendCapability.class);
    }
}
