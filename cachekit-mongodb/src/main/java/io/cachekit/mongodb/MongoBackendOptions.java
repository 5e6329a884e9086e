package io.cachekit.mongodb;

import com.mongodb.ConnectionString;
import com.mongodb.client.MongoClient;
import io.cachekit.spi.Redaction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * How a {@link MongoBackend} connects and where it keeps its entries.
 *
 * <p>Either Cachekit owns a client made from a connection string ({@link Builder#connectionString}), with its
 * hosts, credentials, TLS, pool, write concern and read preference, or the application supplies its own
 * {@link MongoClient} ({@link Builder#client}), which Cachekit uses but never closes. Entries live in one
 * collection, {@code cachekit_entries} of the database {@code cachekit} unless set otherwise (a database in
 * the connection string's path is used when none is set here). The backend creates its two indexes when
 * absent ({@link Builder#createIndexes}).
 *
 * <p>Immutable and thread-safe. Built with {@link #builder()}, whose setters reject an invalid value at once
 * with an {@link IllegalArgumentException} (or a {@link NullPointerException} for null), and whose {@link
 * Builder#build()} fails with an {@link IllegalStateException} unless exactly one of a connection string or a
 * client is set. {@link #toString()} and {@link #target()} never show credentials.
 */
public final class MongoBackendOptions {
    /** Default database, when neither the options nor the connection string name one: {@value}. */
    public static final String DEFAULT_DATABASE = "cachekit";
    /** Default collection: {@value}. */
    public static final String DEFAULT_COLLECTION = "cachekit_entries";

    private final String connectionString;
    private final MongoClient client;
    private final String database;
    private final String collection;
    private final boolean createIndexes;

    private MongoBackendOptions(Builder b) {
        this.connectionString = b.connectionString;
        this.client = b.client;
        this.database = b.database != null
                ? b.database
                : b.parsed != null && b.parsed.getDatabase() != null ? b.parsed.getDatabase() : DEFAULT_DATABASE;
        this.collection = b.collection;
        this.createIndexes = b.createIndexes;
    }

    /** A builder with the defaults; a connection string or a client must still be given. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        if (connectionString != null) {
            b.connectionString(connectionString);
        }
        b.client = client;
        b.database = database;
        b.collection = collection;
        b.createIndexes = createIndexes;
        return b;
    }

    /**
     * The connection string of the client Cachekit owns ({@code mongodb://} or {@code mongodb+srv://}), with
     * its credentials; {@code null} when a client was supplied. Never log it: use {@link #target()}.
     */
    public String connectionString() {
        return connectionString;
    }

    /** The application's client, or {@code null} when Cachekit owns one. */
    public MongoClient client() {
        return client;
    }

    /** The database of the collection. */
    public String database() {
        return database;
    }

    /** The collection that holds every namespace's entries. */
    public String collection() {
        return collection;
    }

    /** Whether the backend creates its indexes when absent; when false they must exist. */
    public boolean createIndexes() {
        return createIndexes;
    }

    /**
     * Where the backend connects, for messages and logs: the connection string without credentials and
     * without its options (which may hold a proxy password), or the supplied client's class.
     */
    public String target() {
        if (connectionString == null) {
            return "supplied " + client.getClass().getSimpleName();
        }
        int q = connectionString.indexOf('?');
        return Redaction.redactUri(q < 0 ? connectionString : connectionString.substring(0, q));
    }

    @Override
    public String toString() {
        return "MongoBackendOptions{target=" + target() + ", database=" + database + ", collection=" + collection
                + ", createIndexes=" + createIndexes + "}";
    }

    /** Builds {@link MongoBackendOptions}. Not thread-safe. Each setter checks its argument at once. */
    public static final class Builder {
        private String connectionString;
        private ConnectionString parsed;
        private MongoClient client;
        private String database;
        private String collection = DEFAULT_COLLECTION;
        private boolean createIndexes = true;

        private Builder() {}

        /**
         * Connects through a client that the backend owns and closes, made from a MongoDB connection string
         * such as {@code mongodb://user:password@db1:27017,db2:27017/app?replicaSet=rs0&w=majority}. Every
         * option of the driver's connection string applies (pool, TLS, {@code w}, {@code readPreference},
         * {@code authSource}, ...), except {@code timeoutMS}: the operation timeout is Cachekit's.
         *
         * @throws IllegalArgumentException for a string the driver cannot read, or one with {@code timeoutMS};
         *     the message never contains the credentials
         */
        public Builder connectionString(String connectionString) {
            Objects.requireNonNull(connectionString, "connectionString");
            ConnectionString read;
            try {
                read = new ConnectionString(connectionString);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("Invalid MongoDB connection string " + redacted(connectionString)
                        + ": " + scrub(String.valueOf(e.getMessage()), connectionString));
            }
            if (read.getTimeout() != null) {
                throw new IllegalArgumentException("timeoutMS in " + redacted(connectionString)
                        + " is not used: the operation timeout is Cachekit's own (the 'timeout' option, or"
                        + " CachekitConfig.operationTimeout)");
            }
            this.connectionString = connectionString;
            this.parsed = read;
            if (read.getDatabase() != null) {
                checkDatabase(read.getDatabase());
            }
            return this;
        }

        /** Uses the application's client, which Cachekit never closes; its settings stay as they are. */
        public Builder client(MongoClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /** The database of the collection; overrides a database in the connection string's path. */
        public Builder database(String database) {
            this.database = checkDatabase(Objects.requireNonNull(database, "database"));
            return this;
        }

        /** The collection that holds every namespace's entries; default {@value #DEFAULT_COLLECTION}. */
        public Builder collection(String collection) {
            Objects.requireNonNull(collection, "collection");
            if (collection.isEmpty()
                    || collection.indexOf('$') >= 0
                    || collection.indexOf('\0') >= 0
                    || collection.startsWith("system.")
                    || collection.startsWith(".")
                    || collection.endsWith(".")
                    || collection.getBytes(StandardCharsets.UTF_8).length > 200) {
                throw new IllegalArgumentException("collection name must be 1 to 200 bytes without '$' or NUL, not"
                        + " start with 'system.' and not start or end with '.'; got '" + collection + "'");
            }
            this.collection = collection;
            return this;
        }

        /**
         * Whether the backend creates its indexes (a TTL index on {@code expiresAt}, an index on {@code ns})
         * when absent; default true. With false a missing index fails the backend's creation, for deployments
         * whose indexes are managed elsewhere or whose user may not create them.
         */
        public Builder createIndexes(boolean createIndexes) {
            this.createIndexes = createIndexes;
            return this;
        }

        /**
         * @throws IllegalStateException unless exactly one of a connection string or a client was given
         */
        public MongoBackendOptions build() {
            if ((connectionString == null) == (client == null)) {
                throw new IllegalStateException(
                        "MongoBackendOptions need exactly one of connectionString(...) or" + " client(...)");
            }
            return new MongoBackendOptions(this);
        }

        private static String checkDatabase(String database) {
            if (database.isEmpty()
                    || database.getBytes(StandardCharsets.UTF_8).length > 63
                    || database.chars().anyMatch(c -> "/\\. \"$*<>:|?\0".indexOf(c) >= 0)) {
                throw new IllegalArgumentException("database name must be 1 to 63 bytes without"
                        + " / \\ . space \" $ * < > : | ? or NUL; got '" + database + "'");
            }
            return database;
        }

        private static String redacted(String connectionString) {
            int q = connectionString.indexOf('?');
            return "'" + Redaction.redactUri(q < 0 ? connectionString : connectionString.substring(0, q)) + "'";
        }

        /** Removes the user information of {@code connectionString} from a driver message, should it be there. */
        private static String scrub(String message, String connectionString) {
            int scheme = connectionString.indexOf("://");
            if (scheme < 0) {
                return message;
            }
            int end = connectionString.length();
            for (int i = scheme + 3; i < connectionString.length(); i++) {
                char c = connectionString.charAt(i);
                if (c == '/' || c == '?' || c == '#') {
                    end = i;
                    break;
                }
            }
            int at = connectionString.lastIndexOf('@', end - 1);
            if (at <= scheme + 3) {
                return message;
            }
            String userInfo = connectionString.substring(scheme + 3, at);
            String scrubbed = message.replace(userInfo, "***");
            int colon = userInfo.indexOf(':');
            if (colon >= 0 && colon + 1 < userInfo.length()) {
                scrubbed = scrubbed.replace(userInfo.substring(colon + 1), "***");
            }
            return scrubbed;
        }
    }
}
