package io.cachekit.firestore.internal;

import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.FirestoreOptions;
import io.cachekit.CacheBackendException;
import io.cachekit.firestore.FirestoreBackendOptions;

/**
 * Builds the Firestore client that a backend owns, from its options, and names where a backend works. Not API;
 * stateless and thread-safe.
 */
public final class FirestoreClients {
    private FirestoreClients() {}

    /**
     * A new client for the project, database, emulator and credentials of {@code options}, with {@code
     * retrySettings} for every RPC. Makes no call to Firestore: the client connects on first use.
     *
     * @throws IllegalArgumentException when no project is set and none can be found in the environment
     * @throws CacheBackendException when the client cannot be built (for example, unreadable credentials)
     */
    public static Firestore build(FirestoreBackendOptions options, RetrySettings retrySettings) {
        FirestoreOptions.Builder builder = FirestoreOptions.newBuilder().setRetrySettings(retrySettings);
        if (options.projectId() != null) {
            builder.setProjectId(options.projectId());
        }
        if (options.databaseId() != null) {
            builder.setDatabaseId(options.databaseId());
        }
        if (options.emulatorHost() != null) {
            // Not together with NoCredentials: the client would then ignore the emulator.
            builder.setEmulatorHost(options.emulatorHost());
        }
        if (options.credentials() != null) {
            builder.setCredentials(options.credentials());
        }
        FirestoreOptions firestoreOptions;
        try {
            firestoreOptions = builder.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "firestore (" + options.target() + "): " + e.getMessage() + " (set the project in the URI,"
                            + " firestore://project-id, or GOOGLE_CLOUD_PROJECT)",
                    e);
        } catch (RuntimeException e) {
            throw new CacheBackendException(
                    "firestore (" + options.target() + "): cannot configure the client: " + e.getMessage(), e);
        }
        try {
            return firestoreOptions.getService();
        } catch (RuntimeException e) {
            throw new CacheBackendException(
                    "firestore (" + options.target() + "): cannot create the client: " + e.getMessage(), e);
        }
    }

    /**
     * Where a backend on {@code firestore} works, for messages: the target of {@code options} for an owned
     * client, or the project and database of a supplied one; never credentials.
     */
    public static String target(FirestoreBackendOptions options, Firestore firestore) {
        if (options.firestore() == null) {
            return options.target();
        }
        FirestoreOptions o = firestore.getOptions();
        return "project " + o.getProjectId() + ", database " + o.getDatabaseId() + ", collection "
                + options.collection();
    }
}
