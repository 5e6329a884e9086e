package io.cachekit.firestore;

import com.google.auth.Credentials;
import com.google.cloud.firestore.Firestore;
import io.cachekit.firestore.internal.DocumentLayout;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where a {@link FirestoreBackend} keeps its entries and how it reaches Firestore.
 *
 * <p>Either the backend owns a Firestore client that it builds from a project, a database, credentials and
 * an optional emulator host, each of which falls back to the environment when not set (the project to
 * {@code GOOGLE_CLOUD_PROJECT} or Application Default Credentials, the credentials to Application Default
 * Credentials, the emulator to {@code FIRESTORE_EMULATOR_HOST}); or the application supplies a {@link
 * Firestore} of its own ({@link Builder#firestore(Firestore)}), which the backend uses but never closes.
 * Entries live in one collection, {@value #DEFAULT_COLLECTION} unless set otherwise.
 *
 * <p>Immutable and thread-safe. Built with {@link #builder()}, whose setters reject an invalid value at once
 * with an {@link IllegalArgumentException} (or a {@link NullPointerException} for null), and whose {@link
 * Builder#build()} fails with an {@link IllegalStateException} when a supplied client is combined with
 * settings that only an owned client uses. {@link #toString()} never shows credentials.
 */
public final class FirestoreBackendOptions {
    /** Default collection: {@value}. */
    public static final String DEFAULT_COLLECTION = "cachekit";
    /** The database every project has: {@value}. */
    public static final String DEFAULT_DATABASE = "(default)";
    /**
     * Default and largest number of documents per query page of {@code clear} and per write batch of
     * {@code setMany}: {@value}, the most one Firestore batch has traditionally taken.
     */
    public static final int MAX_BATCH_SIZE = 500;

    /** The query options of the {@code firestore://} URI form. */
    static final Set<String> URI_OPTIONS = Set.of("database", "collection", "emulatorHost", "batchSize");

    private static final Pattern DATABASE_ID = Pattern.compile("[a-z][a-z0-9-]{2,61}[a-z0-9]");
    private static final Pattern PROJECT_ID = Pattern.compile("[^\\s/]{1,100}");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[^\\s/:\\[\\]@]+):(\\d{1,5})");

    private final String projectId;
    private final String databaseId;
    private final String collection;
    private final String emulatorHost;
    private final Credentials credentials;
    private final Firestore firestore;
    private final int batchSize;

    private FirestoreBackendOptions(Builder b) {
        this.projectId = b.projectId;
        this.databaseId = b.databaseId;
        this.collection = b.collection;
        this.emulatorHost = b.emulatorHost;
        this.credentials = b.credentials;
        this.firestore = b.firestore;
        this.batchSize = b.batchSize;
    }

    /** A builder with the defaults: everything from the environment, collection {@value #DEFAULT_COLLECTION}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.projectId = projectId;
        b.databaseId = databaseId;
        b.collection = collection;
        b.emulatorHost = emulatorHost;
        b.credentials = credentials;
        b.firestore = firestore;
        b.batchSize = batchSize;
        return b;
    }

    /** The project of the owned client, or {@code null} to take it from the environment (or the supplied client). */
    public String projectId() {
        return projectId;
    }

    /** The database of the owned client, or {@code null} for {@value #DEFAULT_DATABASE} (or the supplied client's). */
    public String databaseId() {
        return databaseId;
    }

    /** The path of the collection that holds the entries: a collection id, or a path of odd length. */
    public String collection() {
        return collection;
    }

    /** {@code host:port} of an emulator, or {@code null} (the client then reads {@code FIRESTORE_EMULATOR_HOST}). */
    public String emulatorHost() {
        return emulatorHost;
    }

    /** The credentials of the owned client, or {@code null} for Application Default Credentials. */
    public Credentials credentials() {
        return credentials;
    }

    /** The application's client, or {@code null} when the backend owns one. */
    public Firestore firestore() {
        return firestore;
    }

    /** Documents per page of {@code clear} and per batch of {@code setMany}: 1 to {@value #MAX_BATCH_SIZE}. */
    public int batchSize() {
        return batchSize;
    }

    /** Where the backend connects, for messages and logs: never credentials. */
    public String target() {
        if (firestore != null) {
            return "supplied client, collection " + collection;
        }
        return "project " + (projectId == null ? "(from the environment)" : projectId) + ", database "
                + (databaseId == null ? DEFAULT_DATABASE : databaseId) + ", collection " + collection
                + (emulatorHost == null ? "" : ", emulator " + emulatorHost);
    }

    @Override
    public String toString() {
        return "FirestoreBackendOptions{projectId=" + projectId + ", databaseId=" + databaseId + ", collection="
                + collection + ", emulatorHost=" + emulatorHost + ", credentials="
                + (credentials == null ? "default" : "***") + ", firestore="
                + (firestore == null ? "owned" : "supplied") + ", batchSize=" + batchSize + "}";
    }

    /** Builds {@link FirestoreBackendOptions}. Not thread-safe. Each setter checks its argument at once. */
    public static final class Builder {
        private String projectId;
        private String databaseId;
        private String collection = DEFAULT_COLLECTION;
        private String emulatorHost;
        private Credentials credentials;
        private Firestore firestore;
        private int batchSize = MAX_BATCH_SIZE;

        private Builder() {}

        /** The Google Cloud project, such as {@code my-project}; default: from the environment. */
        public Builder projectId(String projectId) {
            Objects.requireNonNull(projectId, "projectId");
            if (!PROJECT_ID.matcher(projectId).matches()) {
                throw new IllegalArgumentException(
                        "projectId must be 1-100 characters without spaces or '/', got '" + projectId + "'");
            }
            this.projectId = projectId;
            return this;
        }

        /**
         * The database: {@value #DEFAULT_DATABASE}, or a named database (4-63 characters: lowercase letters,
         * digits and hyphens, starting with a letter and ending with a letter or digit).
         */
        public Builder databaseId(String databaseId) {
            Objects.requireNonNull(databaseId, "databaseId");
            if (!databaseId.equals(DEFAULT_DATABASE)
                    && !DATABASE_ID.matcher(databaseId).matches()) {
                throw new IllegalArgumentException("databaseId must be " + DEFAULT_DATABASE
                        + " or 4-63 lowercase letters, digits and hyphens starting with a letter; got '"
                        + databaseId + "'");
            }
            this.databaseId = databaseId;
            return this;
        }

        /**
         * The collection of the entries: a collection id such as {@code cachekit}, or a path to a subcollection
         * such as {@code tenants/acme/cache} (an odd number of segments). Each segment is non-empty, at most
         * 1,500 bytes of UTF-8, not {@code .} or {@code ..}, and not of the reserved form {@code __...__}.
         * Default {@value #DEFAULT_COLLECTION}.
         */
        public Builder collection(String collection) {
            this.collection = DocumentLayout.checkCollectionPath(Objects.requireNonNull(collection, "collection"));
            return this;
        }

        /**
         * Connects the owned client to an emulator at {@code host:port} (such as {@code 127.0.0.1:8080}),
         * without credentials. Without it the client uses {@code FIRESTORE_EMULATOR_HOST} when that is set.
         */
        public Builder emulatorHost(String hostAndPort) {
            Objects.requireNonNull(hostAndPort, "emulatorHost");
            var m = HOST_PORT.matcher(hostAndPort);
            if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
                throw new IllegalArgumentException(
                        "emulatorHost must be host:port with a port from 1 to 65535, got '" + hostAndPort + "'");
            }
            this.emulatorHost = hostAndPort;
            return this;
        }

        /**
         * Credentials of the owned client, such as a {@code ServiceAccountCredentials}; default: Application
         * Default Credentials ({@code GOOGLE_APPLICATION_CREDENTIALS}, gcloud's login, the metadata server).
         */
        public Builder credentials(Credentials credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /**
         * Uses the application's client instead of one of the backend's own. The backend never closes it;
         * project, database, credentials and emulator host are the client's, so they may not be set here.
         */
        public Builder firestore(Firestore firestore) {
            this.firestore = Objects.requireNonNull(firestore, "firestore");
            return this;
        }

        /**
         * Documents per page of {@code clear} (each page one query and one batch of deletes) and per write batch
         * of {@code setMany}: 1 to {@value #MAX_BATCH_SIZE}; default {@value #MAX_BATCH_SIZE}.
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
                throw new IllegalArgumentException(
                        "batchSize must be between 1 and " + MAX_BATCH_SIZE + ", got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Builds the options.
         *
         * @throws IllegalStateException when a supplied client is combined with a project, database,
         *     credentials or emulator host
         */
        public FirestoreBackendOptions build() {
            if (firestore != null
                    && (projectId != null || databaseId != null || credentials != null || emulatorHost != null)) {
                throw new IllegalStateException("With firestore(...) the client's own project, database, credentials"
                        + " and emulator host apply: do not set projectId, databaseId, credentials or emulatorHost");
            }
            return new FirestoreBackendOptions(this);
        }
    }
}
