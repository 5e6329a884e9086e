package io.cachekit.firestore;

import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.spi.CacheBackendProvider;
import io.cachekit.spi.Redaction;
import io.cachekit.spi.UriOptions;
import java.net.URI;
import java.util.Set;

/**
 * Creates a {@link FirestoreBackend} from a URI of scheme {@code firestore}:
 *
 * <pre>{@code
 * firestore://my-project?database=(default)&collection=cachekit
 * firestore://demo-test?emulatorHost=127.0.0.1:8080
 * firestore:///?collection=cache          (project from the environment)
 * }</pre>
 *
 * <p>The authority is the project id; without one, the project comes from the environment ({@code
 * GOOGLE_CLOUD_PROJECT}, or Application Default Credentials). Options: {@code database} (default {@code
 * (default)}), {@code collection} (default {@code cachekit}; a collection id or a subcollection path), {@code
 * emulatorHost} ({@code host:port}; without it the client reads {@code FIRESTORE_EMULATOR_HOST}) and {@code
 * batchSize} (1-500, default 500). Credentials never come from the URI: the client uses Application Default
 * Credentials ({@code GOOGLE_APPLICATION_CREDENTIALS}, gcloud's login, or the metadata server); for others,
 * use {@link FirestoreBackendOptions.Builder#credentials}. An unknown option fails with an {@link
 * IllegalArgumentException} that lists the valid ones.
 *
 * <p>Stateless and thread-safe; found by {@link java.util.ServiceLoader}.
 */
public final class FirestoreBackendProvider implements CacheBackendProvider {

    /** Used by {@link java.util.ServiceLoader}. */
    public FirestoreBackendProvider() {}

    @Override
    public Set<String> schemes() {
        return Set.of("firestore");
    }

    @Override
    public Set<String> options() {
        return FirestoreBackendOptions.URI_OPTIONS;
    }

    /**
     * Creates the backend of {@code uri} and checks that Firestore answers, with one document read bounded by
     * the context's timeout ({@link FirestoreBackend#connect}).
     *
     * @throws IllegalArgumentException for an invalid URI or option, or when no project can be found
     * @throws io.cachekit.StoreUnreachableException when Firestore cannot be reached or does not answer in time,
     *     so that Cachekit starts without it and connects in the background
     * @throws io.cachekit.CacheBackendException when Firestore refuses (credentials, permissions, a database
     *     that does not exist)
     */
    @Override
    public CacheBackend create(URI uri, BackendContext context) {
        return FirestoreBackend.connect(toOptions(uri), context);
    }

    /**
     * Reads a backend URI into options, without creating a client.
     *
     * @throws IllegalArgumentException for another scheme, user information, a path, a bad option or value
     */
    public static FirestoreBackendOptions toOptions(URI uri) {
        if (!"firestore".equals(uri.getScheme())) {
            throw new IllegalArgumentException("Not a Firestore URI (firestore://project-id?collection=...): "
                    + Redaction.redactUri(uri.toString()));
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("firestore:// URIs take no credentials ("
                    + Redaction.redactUri(uri.toString())
                    + "); use Application Default Credentials or FirestoreBackendOptions.Builder.credentials");
        }
        String path = uri.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            throw new IllegalArgumentException("firestore:// URIs have no path (" + uri
                    + "); name the collection with ?collection=" + path.substring(1));
        }
        UriOptions query = UriOptions.parse(uri, FirestoreBackendOptions.URI_OPTIONS);
        FirestoreBackendOptions.Builder builder = FirestoreBackendOptions.builder();
        String project = uri.getRawAuthority();
        if (project != null && !project.isEmpty()) {
            builder.projectId(project);
        }
        String database = query.get("database");
        if (database != null) {
            builder.databaseId(database);
        }
        builder.collection(query.getString("collection", FirestoreBackendOptions.DEFAULT_COLLECTION));
        String emulatorHost = query.get("emulatorHost");
        if (emulatorHost != null) {
            builder.emulatorHost(emulatorHost);
        }
        builder.batchSize(query.getInt("batchSize", FirestoreBackendOptions.MAX_BATCH_SIZE));
        return builder.build();
    }
}
