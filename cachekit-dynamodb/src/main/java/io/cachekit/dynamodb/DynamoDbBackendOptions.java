package io.cachekit.dynamodb;

import io.cachekit.spi.Durations;
import io.cachekit.spi.Redaction;
import io.cachekit.spi.UriOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Settings of a {@link DynamoDbBackend}: which table, where, and with which clients.
 *
 * <p>Immutable and thread-safe. Built with {@link #builder()}, whose setters reject invalid values at once
 * with an {@link IllegalArgumentException} (or a {@link NullPointerException} for a null), or read from a
 * URI with {@link #fromUri(URI)}:
 *
 * <pre>{@code
 * dynamodb://cachekit_entries?region=eu-west-1
 * dynamodb://cache-table?region=us-east-1&endpoint=http://127.0.0.1:8600&createTable=true
 * }</pre>
 *
 * Credentials never come from here as text: the backend's own clients use the SDK's default credentials
 * chain (environment, system properties, profile, container and instance roles) unless {@link
 * Builder#credentialsProvider} gives another provider. The operation timeout is not set here: it is
 * Cachekit's, from the {@code BackendContext}.
 */
public final class DynamoDbBackendOptions {
    /** The URI scheme. */
    public static final String SCHEME = "dynamodb";

    /** Query options of {@code dynamodb://} URIs. */
    public static final Set<String> URI_OPTIONS =
            Set.of("region", "endpoint", "createTable", "maxItemAge", "maxConnections", "generationReuse");

    /** The table used when none is named. */
    public static final String DEFAULT_TABLE = "cachekit_entries";

    /** Connections each of the backend's own HTTP clients keeps at most, by default. */
    public static final int DEFAULT_MAX_CONNECTIONS = 50;

    /** How long a get reuses a generation it read, by default: one second. */
    public static final Duration DEFAULT_GENERATION_REUSE = Duration.ofSeconds(1);

    /** The longest {@link Builder#generationReuse}: ten seconds, as every clear waits that long. */
    public static final Duration LONGEST_GENERATION_REUSE = Duration.ofSeconds(10);

    /** The longest {@link Builder#maxItemAge}: 100 years. */
    public static final Duration LONGEST_MAX_ITEM_AGE = Duration.ofDays(36_500);

    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9_.-]{3,255}");

    private final String table;
    private final Region region;
    private final URI endpoint;
    private final boolean createTable;
    private final Duration maxItemAge;
    private final int maxConnections;
    private final Duration generationReuse;
    private final AwsCredentialsProvider credentialsProvider;
    private final DynamoDbClient client;
    private final DynamoDbAsyncClient asyncClient;

    private DynamoDbBackendOptions(Builder b) {
        this.table = b.table;
        this.region = b.region;
        this.endpoint = b.endpoint;
        this.createTable = b.createTable;
        this.maxItemAge = b.maxItemAge;
        this.maxConnections = b.maxConnections;
        this.generationReuse = b.generationReuse;
        this.credentialsProvider = b.credentialsProvider;
        this.client = b.client;
        this.asyncClient = b.asyncClient;
    }

    /** A builder with the defaults: table {@value #DEFAULT_TABLE}, the SDK's region and credentials chains. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.table = table;
        b.region = region;
        b.endpoint = endpoint;
        b.createTable = createTable;
        b.maxItemAge = maxItemAge;
        b.maxConnections = maxConnections;
        b.generationReuse = generationReuse;
        b.credentialsProvider = credentialsProvider;
        b.client = client;
        b.asyncClient = asyncClient;
        return b;
    }

    /**
     * Reads a {@code dynamodb://table?options} URI: the authority names the table ({@value #DEFAULT_TABLE} when
     * empty, as in {@code dynamodb://?region=eu-west-1}); the options are {@link #URI_OPTIONS}.
     *
     * @throws IllegalArgumentException for another scheme, user information (credentials do not belong in a
     *     URI), a port or path, an invalid table name, or an unknown or invalid option (naming the valid ones);
     *     messages never contain the URI's user information
     */
    public static DynamoDbBackendOptions fromUri(URI uri) {
        Objects.requireNonNull(uri, "uri");
        String shown = Redaction.redactUri(uri.toString());
        if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("Not a DynamoDB URI (dynamodb://table): " + shown);
        }
        String authority = uri.getRawAuthority();
        if (authority != null && authority.contains("@")) {
            throw new IllegalArgumentException("A dynamodb:// URI takes no credentials (" + shown
                    + "): the backend uses the AWS SDK's default credentials chain"
                    + " (environment, system properties, profile, instance or container role)");
        }
        if (authority != null && authority.contains(":")) {
            throw new IllegalArgumentException(
                    "A dynamodb:// URI names a table, not host:port (" + shown + "); use the endpoint option");
        }
        String path = uri.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            throw new IllegalArgumentException(
                    "A dynamodb:// URI has no path (" + shown + "); write dynamodb://table?region=...");
        }
        UriOptions query = UriOptions.parse(uri, URI_OPTIONS);
        Builder b = builder();
        if (authority != null && !authority.isEmpty()) {
            b.table(authority);
        }
        String region = query.get("region");
        if (region != null) {
            b.region(region);
        }
        String endpoint = query.get("endpoint");
        if (endpoint != null) {
            b.endpoint(endpoint);
        }
        b.createTable(query.getBoolean("createTable", b.createTable));
        Duration maxItemAge = query.getDuration("maxItemAge", null);
        if (maxItemAge != null) {
            b.maxItemAge(maxItemAge);
        }
        b.maxConnections(query.getInt("maxConnections", b.maxConnections));
        b.generationReuse(query.getDuration("generationReuse", b.generationReuse));
        return b.build();
    }

    /** The table's name. */
    public String table() {
        return table;
    }

    /** The region, or {@code null} for the SDK's default region chain. */
    public Region region() {
        return region;
    }

    /** The endpoint override (such as a local dynalite), or {@code null} for the region's DynamoDB endpoint. */
    public URI endpoint() {
        return endpoint;
    }

    /** Whether the backend creates the table (on-demand billing, TTL enabled) when it is absent. */
    public boolean createTable() {
        return createTable;
    }

    /**
     * When not null, every entry gets DynamoDB's TTL attribute at most this far in the future, entries without
     * expiry included, so DynamoDB deletes them after this age (they then read as misses, as evicted entries
     * do). {@code null} (the default): entries without expiry have no TTL attribute and stay until overwritten
     * or deleted.
     */
    public Duration maxItemAge() {
        return maxItemAge;
    }

    /** Connections each of the backend's own HTTP clients keeps at most. */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * How long a get may reuse a namespace generation this process read, so that it reads the entry alone
     * ({@code GetItem}) instead of the entry with its generation item ({@code BatchGetItem}); every clear
     * waits this long after its updates before it returns, so that no process reads an entry written before
     * it. Zero: every get reads the generation, and clear returns at once. Every process on one table must use
     * the same value (or clearers one at least as long as any reader's): a clear waits its own process's.
     */
    public Duration generationReuse() {
        return generationReuse;
    }

    /** The credentials provider of the backend's own clients, or {@code null} for the SDK's default chain. */
    public AwsCredentialsProvider credentialsProvider() {
        return credentialsProvider;
    }

    /** The application's sync client, or {@code null} when the backend builds (and closes) its own. */
    public DynamoDbClient client() {
        return client;
    }

    /** The application's async client, or {@code null} when the backend builds (and closes) its own. */
    public DynamoDbAsyncClient asyncClient() {
        return asyncClient;
    }

    /** Where the backend works: table, region and endpoint, never credentials. */
    public String target() {
        return "table " + table
                + (region == null ? "" : " in " + region.id())
                + (endpoint == null ? "" : " at " + Redaction.redactUri(endpoint.toString()))
                + (client != null ? " (application's clients)" : "");
    }

    @Override
    public String toString() {
        return "DynamoDbBackendOptions{table=" + table + ", region=" + (region == null ? "default chain" : region.id())
                + ", endpoint=" + (endpoint == null ? "default" : Redaction.redactUri(endpoint.toString()))
                + ", createTable=" + createTable + ", maxItemAge=" + maxItemAge + ", maxConnections="
                + maxConnections + ", generationReuse=" + generationReuse + ", credentials="
                + (credentialsProvider == null
                        ? "default chain"
                        : credentialsProvider.getClass().getSimpleName())
                + ", applicationClients=" + (client != null) + "}";
    }

    /**
     * Builds {@link DynamoDbBackendOptions}. Not thread-safe. Defaults: table {@value #DEFAULT_TABLE}, the SDK's
     * region and credentials chains, the region's endpoint, {@code createTable} true, no {@code maxItemAge},
     * {@value #DEFAULT_MAX_CONNECTIONS} connections, a one-second {@code generationReuse}, clients of the
     * backend's own.
     */
    public static final class Builder {
        private String table = DEFAULT_TABLE;
        private Region region;
        private URI endpoint;
        private boolean createTable = true;
        private Duration maxItemAge;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private Duration generationReuse = DEFAULT_GENERATION_REUSE;
        private AwsCredentialsProvider credentialsProvider;
        private DynamoDbClient client;
        private DynamoDbAsyncClient asyncClient;

        private Builder() {}

        /** The table: 3 to 255 characters of {@code A-Z a-z 0-9 _ . -} (DynamoDB's rule). */
        public Builder table(String table) {
            Objects.requireNonNull(table, "table");
            if (!TABLE_NAME.matcher(table).matches()) {
                throw new IllegalArgumentException(
                        "DynamoDB table name must be 3 to 255 characters of A-Z, a-z, 0-9, '_', '.' and '-'; got '"
                                + table + "'");
            }
            this.table = table;
            return this;
        }

        /** The region, such as {@code eu-west-1}; without one the SDK's region chain decides ({@code AWS_REGION}, profile, instance). */
        public Builder region(String region) {
            Objects.requireNonNull(region, "region");
            String id = region.trim().toLowerCase(Locale.ROOT);
            if (!id.matches("[a-z0-9]+(-[a-z0-9]+)+")) {
                throw new IllegalArgumentException(
                        "region must be an AWS region id such as us-east-1, got '" + region + "'");
            }
            this.region = Region.of(id);
            return this;
        }

        /** {@link #region(String)} from the SDK's type. */
        public Builder region(Region region) {
            this.region = Objects.requireNonNull(region, "region");
            return this;
        }

        /** An endpoint instead of the region's, such as {@code http://127.0.0.1:8600} for a local dynalite. */
        public Builder endpoint(String endpoint) {
            Objects.requireNonNull(endpoint, "endpoint");
            try {
                return endpoint(new URI(endpoint.trim()));
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(
                        "endpoint must be an http:// or https:// URL, got '" + Redaction.redactUri(endpoint) + "'");
            }
        }

        /** {@link #endpoint(String)} as a URI. */
        public Builder endpoint(URI endpoint) {
            Objects.requireNonNull(endpoint, "endpoint");
            String scheme =
                    endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || endpoint.getHost() == null) {
                throw new IllegalArgumentException("endpoint must be an http:// or https:// URL with a host, got '"
                        + Redaction.redactUri(endpoint.toString()) + "'");
            }
            if (endpoint.getRawUserInfo() != null) {
                throw new IllegalArgumentException("endpoint takes no credentials ("
                        + Redaction.redactUri(endpoint.toString()) + "): the SDK's credentials chain signs requests");
            }
            this.endpoint = endpoint;
            return this;
        }

        /** Whether to create the table when it is absent (on-demand billing, TTL on {@code ttl}); true by default. */
        public Builder createTable(boolean createTable) {
            this.createTable = createTable;
            return this;
        }

        /**
         * The longest an item stays: its TTL attribute is at most this far in the future, also for entries without
         * expiry. Positive, at most 100 years; {@code null} for none (the default).
         */
        public Builder maxItemAge(Duration maxItemAge) {
            if (maxItemAge != null
                    && (maxItemAge.isNegative()
                            || maxItemAge.isZero()
                            || maxItemAge.compareTo(LONGEST_MAX_ITEM_AGE) > 0)) {
                throw new IllegalArgumentException(
                        "maxItemAge must be positive and at most 36500 days, got " + maxItemAge);
            }
            this.maxItemAge = maxItemAge;
            return this;
        }

        /** Connections each of the backend's own HTTP clients keeps at most: 1 to 10,000; 50 by default. */
        public Builder maxConnections(int maxConnections) {
            if (maxConnections < 1 || maxConnections > 10_000) {
                throw new IllegalArgumentException("maxConnections must be between 1 and 10000, got " + maxConnections);
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * How long a get may reuse a generation it read (see {@link DynamoDbBackendOptions#generationReuse()}):
         * zero to ten seconds; one second by default. Longer makes fewer gets read the generation item and
         * every clear slower by as much.
         */
        public Builder generationReuse(Duration generationReuse) {
            this.generationReuse =
                    Durations.requireBetweenZeroAnd("generationReuse", generationReuse, LONGEST_GENERATION_REUSE);
            return this;
        }

        /** Credentials of the backend's own clients instead of the SDK's default chain. */
        public Builder credentialsProvider(AwsCredentialsProvider credentialsProvider) {
            this.credentialsProvider = Objects.requireNonNull(credentialsProvider, "credentialsProvider");
            return this;
        }

        /**
         * The application's own clients, used instead of clients of the backend's: the sync one for the sync
         * operations, the async one for the async operations. The backend never closes them; region, endpoint,
         * credentials and connections options do not apply to them. Both are needed.
         */
        public Builder clients(DynamoDbClient client, DynamoDbAsyncClient asyncClient) {
            this.client = Objects.requireNonNull(client, "client");
            this.asyncClient = Objects.requireNonNull(asyncClient, "asyncClient");
            return this;
        }

        /** @throws IllegalStateException when application clients are combined with options they ignore */
        public DynamoDbBackendOptions build() {
            if (client != null && (region != null || endpoint != null || credentialsProvider != null)) {
                throw new IllegalStateException("region, endpoint and credentialsProvider configure the backend's own"
                        + " clients; with the application's clients, configure those clients instead");
            }
            return new DynamoDbBackendOptions(this);
        }
    }
}
