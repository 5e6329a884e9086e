package io.cachekit.dynamodb;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Where the tests find dynalite: {@code -Dcachekit.dynamodb.endpoint} (the module's pom sets it to the server
 * that {@code scripts/servers/dynamodb.sh start} runs, {@code http://127.0.0.1:8600}). A server that does not
 * answer fails the tests, never skips them.
 */
final class TestDynamo {
    static final String ENDPOINT = System.getProperty("cachekit.dynamodb.endpoint", "http://127.0.0.1:8600");
    static final Region REGION = Region.US_EAST_1;

    private TestDynamo() {}

    /** Options for {@code table} on the shared test server, with the backend's own clients. */
    static DynamoDbBackendOptions.Builder options(String table) {
        return DynamoDbBackendOptions.builder()
                .table(table)
                .region(REGION)
                .endpoint(ENDPOINT)
                .createTable(true);
    }

    /** The URI of {@code table} on the shared test server. */
    static String uri(String table) {
        return "dynamodb://" + table + "?region=" + REGION.id() + "&endpoint=" + ENDPOINT;
    }

    /** A sync client of the test's own on {@code endpoint}, recording each HTTP request's operation. */
    static DynamoDbClient client(String endpoint, Requests requests) {
        return DynamoDbClient.builder()
                .endpointOverride(URI.create(endpoint))
                .region(REGION)
                .credentialsProvider(credentials())
                .overrideConfiguration(c -> c.addExecutionInterceptor(requests))
                .build();
    }

    /** An async client of the test's own on {@code endpoint}, recording each HTTP request's operation. */
    static DynamoDbAsyncClient asyncClient(String endpoint, Requests requests) {
        return DynamoDbAsyncClient.builder()
                .endpointOverride(URI.create(endpoint))
                .region(REGION)
                .credentialsProvider(credentials())
                .overrideConfiguration(c -> c.addExecutionInterceptor(requests))
                .build();
    }

    static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("cachekit-test", "cachekit-test-secret"));
    }

    /** Records the operation name of every HTTP request an SDK client sends (retries included). */
    static final class Requests implements ExecutionInterceptor {
        private final List<String> operations = new CopyOnWriteArrayList<>();

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            operations.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
        }

        List<String> operations() {
            return List.copyOf(operations);
        }

        void reset() {
            operations.clear();
        }
    }
}
