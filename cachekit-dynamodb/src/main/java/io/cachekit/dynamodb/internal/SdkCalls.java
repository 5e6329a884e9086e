package io.cachekit.dynamodb.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;

/**
 * SDK calls within an operation's deadline: each call gets what is left of it as its {@code apiCallTimeout}
 * (the SDK's own retries happen within it), and its failures become Cachekit's through {@link
 * DynamoDbErrors}. Deadlines are {@link System#nanoTime()} values.
 *
 * <p>Not API; stateless and thread-safe.
 */
public final class SdkCalls {
    private final DynamoDbErrors errors;

    /** @param errors maps the SDK's failures */
    public SdkCalls(DynamoDbErrors errors) {
        this.errors = errors;
    }

    /**
     * Calls the SDK through {@code request}, with what is left of the deadline as its call timeout.
     *
     * @throws io.cachekit.CacheTimeoutException when no time is left, or the call timed out
     * @throws io.cachekit.CacheBackendException on any other failure, mapped by {@link DynamoDbErrors#map}
     */
    public <T> T call(String operation, long deadline, Function<AwsRequestOverrideConfiguration, T> request) {
        AwsRequestOverrideConfiguration o = until(operation, deadline);
        try {
            return request.apply(o);
        } catch (RuntimeException e) {
            throw errors.map(operation, e);
        }
    }

    /**
     * {@link #call} for the async client; never throws. Its failures, those of {@code request} included, are
     * left unmapped: {@link #mapErrors} maps them once at the end of the operation.
     */
    public <T> CompletableFuture<T> callAsync(
            String operation, long deadline, Function<AwsRequestOverrideConfiguration, CompletableFuture<T>> request) {
        try {
            return request.apply(until(operation, deadline));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** {@code future}, failing with the Cachekit exception that {@link DynamoDbErrors#map} makes of its failure. */
    public <T> CompletableFuture<T> mapErrors(String operation, CompletableFuture<T> future) {
        return future.exceptionallyCompose(e -> CompletableFuture.failedFuture(errors.map(operation, e)));
    }

    /**
     * The override configuration of a request: what is left of the deadline as its call timeout.
     *
     * @throws io.cachekit.CacheTimeoutException when the deadline has passed
     */
    public AwsRequestOverrideConfiguration until(String operation, long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw errors.timeout(operation, "no time left for its next request");
        }
        return AwsRequestOverrideConfiguration.builder()
                .apiCallTimeout(Duration.ofNanos(left))
                .build();
    }
}
