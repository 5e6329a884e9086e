package io.cachekit.postgres;

import io.cachekit.postgres.internal.TableSql;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * How a {@link PostgresBackend} connects and where it keeps its entries.
 *
 * <p>Either Cachekit owns a HikariCP pool to a JDBC URL ({@link Builder#jdbcUrl}), or the application
 * supplies its own {@link DataSource} ({@link Builder#dataSource}), which Cachekit uses but never closes.
 * The table is {@code "public"."cachekit_entries"} unless set otherwise; it is created when absent.
 *
 * <p>Immutable and thread-safe. Built with {@link #builder()}, whose setters reject an invalid value at
 * once with an {@link IllegalArgumentException} (or a {@link NullPointerException} for null), and whose
 * {@link Builder#build()} fails with an {@link IllegalStateException} when the connection is not set
 * exactly once. {@link #toString()} never shows the password.
 */
public final class PostgresBackendOptions {
    /** Default schema: {@value}. */
    public static final String DEFAULT_SCHEMA = "public";
    /** Default table: {@value}. */
    public static final String DEFAULT_TABLE = "cachekit_entries";
    /** Default time between two purges of expired rows: 60 seconds. */
    public static final Duration DEFAULT_PURGE_INTERVAL = Duration.ofSeconds(60);
    /** Default largest number of rows one purge statement deletes: {@value}. */
    public static final int DEFAULT_PURGE_BATCH_SIZE = 1000;
    /** Default size of the connection pool Cachekit owns: {@value}. */
    public static final int DEFAULT_POOL_SIZE = 10;

    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&;]password=)[^&;]*");

    private final String jdbcUrl;
    private final String username;
    private final String password;
    private final DataSource dataSource;
    private final Map<String, String> connectionProperties;
    private final String schema;
    private final String table;
    private final boolean unlogged;
    private final boolean createTable;
    private final Duration purgeInterval;
    private final int purgeBatchSize;
    private final int poolSize;
    private final int maxValueBytes;

    private PostgresBackendOptions(Builder b) {
        this.jdbcUrl = b.jdbcUrl;
        this.username = b.username;
        this.password = b.password;
        this.dataSource = b.dataSource;
        this.connectionProperties = Collections.unmodifiableMap(new LinkedHashMap<>(b.connectionProperties));
        this.schema = b.schema;
        this.table = b.table;
        this.unlogged = b.unlogged;
        this.createTable = b.createTable;
        this.purgeInterval = b.purgeInterval;
        this.purgeBatchSize = b.purgeBatchSize;
        this.poolSize = b.poolSize;
        this.maxValueBytes = b.maxValueBytes;
    }

    /** A builder with the defaults; a JDBC URL or a data source must still be given. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.jdbcUrl = jdbcUrl;
        b.username = username;
        b.password = password;
        b.dataSource = dataSource;
        b.connectionProperties.putAll(connectionProperties);
        b.schema = schema;
        b.table = table;
        b.unlogged = unlogged;
        b.createTable = createTable;
        b.purgeInterval = purgeInterval;
        b.purgeBatchSize = purgeBatchSize;
        b.poolSize = poolSize;
        b.maxValueBytes = maxValueBytes;
        return b;
    }

    /** The JDBC URL of the pool Cachekit owns, or {@code null} when a data source was supplied. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The user name for {@link #jdbcUrl()}, or {@code null} to leave it to the URL or the driver. */
    public String username() {
        return username;
    }

    /** The password for {@link #jdbcUrl()}, or {@code null}. */
    public String password() {
        return password;
    }

    /** The application's data source, or {@code null} when Cachekit owns a pool. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** Extra pgjdbc connection properties of the owned pool, such as {@code sslmode}; unmodifiable. */
    public Map<String, String> connectionProperties() {
        return connectionProperties;
    }

    /** The schema of the entries table. */
    public String schema() {
        return schema;
    }

    /** The entries table. */
    public String table() {
        return table;
    }

    /** Whether a table Cachekit creates is {@code UNLOGGED}: faster writes, emptied after a crash. */
    public boolean unlogged() {
        return unlogged;
    }

    /** Whether the table is created when absent; when false it must exist. */
    public boolean createTable() {
        return createTable;
    }

    /** Time between two scheduled purges; {@link Duration#ZERO} when the backend does not schedule any. */
    public Duration purgeInterval() {
        return purgeInterval;
    }

    /** The largest number of rows one purge statement deletes. */
    public int purgeBatchSize() {
        return purgeBatchSize;
    }

    /** Size of the pool Cachekit owns (ignored with a supplied data source). */
    public int poolSize() {
        return poolSize;
    }

    /** The largest value one entry may hold, in bytes; a larger one is refused before it is sent. */
    public int maxValueBytes() {
        return maxValueBytes;
    }

    /** Where the backend connects, with any password removed: for messages and logs. */
    public String target() {
        if (dataSource != null) {
            return "data source " + dataSource.getClass().getName();
        }
        return PASSWORD_PARAMETER.matcher(jdbcUrl).replaceAll("$1***");
    }

    @Override
    public String toString() {
        return "PostgresBackendOptions{target=" + target() + ", username=" + username + ", password="
                + (password == null ? "null" : "***") + ", connectionProperties=" + connectionProperties.keySet()
                + ", schema=" + schema + ", table=" + table + ", unlogged=" + unlogged + ", createTable="
                + createTable + ", purgeInterval=" + purgeInterval + ", purgeBatchSize=" + purgeBatchSize
                + ", poolSize=" + poolSize + "}";
    }

    /**
     * Builds {@link PostgresBackendOptions}. Not thread-safe. Each setter checks its argument at once.
     */
    public static final class Builder {
        private String jdbcUrl;
        private String username;
        private String password;
        private DataSource dataSource;
        private final Map<String, String> connectionProperties = new LinkedHashMap<>();
        private String schema = DEFAULT_SCHEMA;
        private String table = DEFAULT_TABLE;
        private boolean unlogged;
        private boolean createTable = true;
        private Duration purgeInterval = DEFAULT_PURGE_INTERVAL;
        private int purgeBatchSize = DEFAULT_PURGE_BATCH_SIZE;
        private int poolSize = DEFAULT_POOL_SIZE;
        private int maxValueBytes = PostgresBackend.MAX_VALUE_BYTES;

        private Builder() {}

        /**
         * Connects through a HikariCP pool that the backend owns and closes, to a URL such as {@code
         * jdbc:postgresql://127.0.0.1:5432/app}.
         */
        public Builder jdbcUrl(String jdbcUrl) {
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException(
                        "jdbcUrl must start with jdbc:postgresql:, got '" + jdbcUrl.split("\\?", 2)[0] + "'");
            }
            this.jdbcUrl = jdbcUrl;
            return this;
        }

        /** The user name and password of the owned pool; either may be null to leave it to the URL. */
        public Builder credentials(String username, String password) {
            this.username = username;
            this.password = password;
            return this;
        }

        /**
         * A pgjdbc connection property of the owned pool, such as {@code sslmode=verify-full}; see the
         * driver's documentation for the names.
         */
        public Builder connectionProperty(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (name.isBlank()) {
                throw new IllegalArgumentException("connection property name must not be blank");
            }
            connectionProperties.put(name, value);
            return this;
        }

        /**
         * Uses the application's data source instead of a pool of Cachekit's own. The backend borrows
         * connections from it and never closes it; the pool size and connection properties set here are
         * then ignored.
         */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** The schema of the table: a lowercase identifier; default {@value #DEFAULT_SCHEMA}. */
        public Builder schema(String schema) {
            this.schema = TableSql.checkSchema(schema);
            return this;
        }

        /** The table name: a lowercase identifier of at most 48 characters; default {@value #DEFAULT_TABLE}. */
        public Builder table(String table) {
            this.table = TableSql.checkTable(table);
            return this;
        }

        /**
         * Creates the table {@code UNLOGGED}: writes skip the write-ahead log, so they are faster, but
         * PostgreSQL empties the table after a crash and does not replicate it. Applies only when the
         * backend creates the table. Default false.
         */
        public Builder unlogged(boolean unlogged) {
            this.unlogged = unlogged;
            return this;
        }

        /** Whether to create the table when absent (default true); when false a missing table fails creation. */
        public Builder createTable(boolean createTable) {
            this.createTable = createTable;
            return this;
        }

        /**
         * Time between two scheduled purges of expired rows: positive, or {@link Duration#ZERO} for no
         * scheduled purge (for instance when a job of the database's own deletes them). Default 60 seconds.
         */
        public Builder purgeInterval(Duration interval) {
            Objects.requireNonNull(interval, "purgeInterval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("purgeInterval must be positive, or zero for none; got " + interval);
            }
            if (!interval.isZero() && interval.toMillis() < 1) {
                throw new IllegalArgumentException("purgeInterval must be at least 1ms, got " + interval);
            }
            this.purgeInterval = interval;
            return this;
        }

        /** The largest number of rows one purge statement deletes: 1 to 1,000,000; default 1000. */
        public Builder purgeBatchSize(int size) {
            if (size < 1 || size > 1_000_000) {
                throw new IllegalArgumentException("purgeBatchSize must be between 1 and 1000000, got " + size);
            }
            this.purgeBatchSize = size;
            return this;
        }

        /** Size of the pool Cachekit owns: 1 to 1000; default 10. */
        /** The largest value one entry may hold: 1 byte to PostgreSQL's bytea limit (the default). */
        public Builder maxValueBytes(int bytes) {
            if (bytes < 1 || bytes > PostgresBackend.MAX_VALUE_BYTES) {
                throw new IllegalArgumentException(
                        "maxValueBytes must be between 1 and " + PostgresBackend.MAX_VALUE_BYTES + ", got " + bytes);
            }
            this.maxValueBytes = bytes;
            return this;
        }

        /** The most connections the backend's own pool opens. */
        public Builder poolSize(int size) {
            if (size < 1 || size > 1000) {
                throw new IllegalArgumentException("poolSize must be between 1 and 1000, got " + size);
            }
            this.poolSize = size;
            return this;
        }

        /**
         * Builds the options.
         *
         * @throws IllegalStateException when neither or both of a JDBC URL and a data source were given
         */
        public PostgresBackendOptions build() {
            if (jdbcUrl == null && dataSource == null) {
                throw new IllegalStateException("Set either jdbcUrl(...) or dataSource(...)");
            }
            if (jdbcUrl != null && dataSource != null) {
                throw new IllegalStateException("Set jdbcUrl(...) or dataSource(...), not both");
            }
            return new PostgresBackendOptions(this);
        }
    }
}
