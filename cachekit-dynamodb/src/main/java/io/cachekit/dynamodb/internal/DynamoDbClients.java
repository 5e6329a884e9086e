package io.cachekit.dynamodb.internal;

import io.cachekit.CacheBackendException;
import io.cachekit.dynamodb.DynamoDbBackendOptions;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClientBuilder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * The backend's two SDK clients, sync and async: the application's from the options when it supplied them,
 * else built here (Apache 5 and Netty HTTP clients, the options' region, endpoint and credentials, the
 * default credentials chain when none is set). Only what was built here is closed by {@link #close()}.
 *
 * <p>Not API; thread-safe once built.
 */
public final class DynamoDbClients implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DynamoDbClients.class);

    /** Attempts of one SDK call, the first included (the SDK's default for DynamoDB is 9). */
    static final int MAX_ATTEMPTS = 3;

    /** The longest connect timeout, whatever the operation timeout. */
    private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final DynamoDbClient sync;
    private final DynamoDbAsyncClient async;
    private final boolean owned;
    private final AwsCredentialsProvider ownCredentials;

    private DynamoDbClients(
            DynamoDbClient sync, DynamoDbAsyncClient async, boolean owned, AwsCredentialsProvider ownCredentials) {
        this.sync = sync;
        this.async = async;
        this.owned = owned;
        this.ownCredentials = ownCredentials;
    }

    /**
     * The application's clients when {@link DynamoDbBackendOptions#client()} is set, else new ones whose every
     * call times out after {@code timeout}.
     *
     * @param options the backend's options; not null
     * @param timeout the operation timeout; not null
     * @throws CacheBackendException when the SDK cannot build a client (no region, for instance); nothing
     *     built by then is left open
     */
    public static DynamoDbClients of(DynamoDbBackendOptions options, Duration timeout) {
        if (options.client() != null) {
            return new DynamoDbClients(options.client(), options.asyncClient(), false, null);
        }
        AwsCredentialsProvider ownCredentials = options.credentialsProvider() == null
                ? DefaultCredentialsProvider.builder().build()
                : null;
        AwsCredentialsProvider credentials = ownCredentials != null ? ownCredentials : options.credentialsProvider();
        DynamoDbClient sync = null;
        try {
            sync = syncClient(options, credentials, timeout);
            DynamoDbAsyncClient async = asyncClient(options, credentials, timeout);
            return new DynamoDbClients(sync, async, true, ownCredentials);
        } catch (SdkClientException e) {
            if (sync != null) {
                sync.close();
            }
            closeQuietly(ownCredentials);
            throw new CacheBackendException(
                    "dynamodb: cannot build the AWS SDK client for " + options.target()
                            + ": " + e.getMessage()
                            + (options.region() == null
                                    ? " (set the region option, e.g. dynamodb://table?region=us-east-1, or AWS_REGION)"
                                    : ""),
                    e);
        }
    }

    /** The sync client; never null. */
    public DynamoDbClient sync() {
        return sync;
    }

    /** The async client; never null. */
    public DynamoDbAsyncClient async() {
        return async;
    }

    private static DynamoDbClient syncClient(
            DynamoDbBackendOptions options, AwsCredentialsProvider credentials, Duration timeout) {
        DynamoDbClientBuilder b = DynamoDbClient.builder()
                .credentialsProvider(credentials)
                .httpClientBuilder(Apache5HttpClient.builder()
                        .maxConnections(options.maxConnections())
                        .connectionTimeout(connectTimeout(timeout)))
                .overrideConfiguration(c -> clientConfiguration(c, timeout));
        if (options.region() != null) {
            b.region(options.region());
        }
        if (options.endpoint() != null) {
            b.endpointOverride(options.endpoint());
        }
        return b.build();
    }

    private static DynamoDbAsyncClient asyncClient(
            DynamoDbBackendOptions options, AwsCredentialsProvider credentials, Duration timeout) {
        DynamoDbAsyncClientBuilder b = DynamoDbAsyncClient.builder()
                .credentialsProvider(credentials)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .maxConcurrency(options.maxConnections())
                        .connectionTimeout(connectTimeout(timeout)))
                .overrideConfiguration(c -> clientConfiguration(c, timeout))
                // The SDK's default hands each completion to a thread pool of its own; Cachekit hands results
                // to its executor anyway, so completing in place saves a second hand-off per call. Every step
                // chained here is short and never blocks.
                .asyncConfiguration(
                        a -> a.advancedOption(SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR, Runnable::run));
        if (options.region() != null) {
            b.region(options.region());
        }
        if (options.endpoint() != null) {
            b.endpointOverride(options.endpoint());
        }
        return b.build();
    }

    /**
     * The call timeout, and the SDK's own retry strategy for DynamoDB (its backoff, its throttling detection)
     * with at most {@value #MAX_ATTEMPTS} attempts: a cache gains nothing from retrying a refused connection
     * for seconds, and every call ends within the operation timeout anyway.
     */
    private static void clientConfiguration(ClientOverrideConfiguration.Builder c, Duration timeout) {
        c.apiCallTimeout(timeout).retryStrategy(b -> b.maxAttempts(MAX_ATTEMPTS));
    }

    private static Duration connectTimeout(Duration timeout) {
        return timeout.compareTo(MAX_CONNECT_TIMEOUT) > 0 ? MAX_CONNECT_TIMEOUT : timeout;
    }

    /**
     * Closes the clients and credentials built here; the application's are left open. Failures are logged at
     * debug level, never thrown. Call it once.
     */
    @Override
    public void close() {
        if (owned) {
            closeQuietly(sync);
            closeQuietly(async);
            closeQuietly(ownCredentials);
        }
    }

    private static void closeQuietly(Object resource) {
        if (resource instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                log.debug("closing {} failed", resource.getClass().getSimpleName(), e);
            }
        }
    }
}
