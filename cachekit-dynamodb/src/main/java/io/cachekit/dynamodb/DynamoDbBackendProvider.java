package io.cachekit.dynamodb;

import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.spi.CacheBackendProvider;
import java.net.URI;
import java.util.Set;

/**
 * Creates a {@link DynamoDbBackend} from a URI of scheme {@code dynamodb}:
 *
 * <pre>{@code
 * dynamodb://cachekit_entries?region=eu-west-1
 * dynamodb://cache-table?region=us-east-1&endpoint=http://127.0.0.1:8600&createTable=true
 * }</pre>
 *
 * <p>The authority names the table ({@code cachekit_entries} when empty). Options: {@code region}, {@code
 * endpoint}, {@code createTable}, {@code maxItemAge} and {@code maxConnections}; see {@link
 * DynamoDbBackendOptions}. Credentials come from the AWS SDK's default chain, never from the URI. An unknown
 * option fails with an {@link IllegalArgumentException} that lists the valid ones.
 *
 * <p>Stateless and thread-safe; found by {@link java.util.ServiceLoader}.
 */
public final class DynamoDbBackendProvider implements CacheBackendProvider {

    /** Used by {@link java.util.ServiceLoader}. */
    public DynamoDbBackendProvider() {}

    @Override
    public Set<String> schemes() {
        return Set.of(DynamoDbBackendOptions.SCHEME);
    }

    @Override
    public Set<String> options() {
        return DynamoDbBackendOptions.URI_OPTIONS;
    }

    @Override
    public CacheBackend create(URI uri, BackendContext context) {
        return DynamoDbBackend.create(DynamoDbBackendOptions.fromUri(uri), context);
    }
}
