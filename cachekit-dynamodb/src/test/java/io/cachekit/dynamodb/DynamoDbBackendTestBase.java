package io.cachekit.dynamodb;

import io.cachekit.dynamodb.TestDynamo.Requests;
import io.cachekit.dynamodb.internal.ItemLayout;
import io.cachekit.spi.BackendContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What the tests of the DynamoDB backend's own behaviour share, on the shared dynalite: one table, a backend on
 * the test's own clients whose requests an SDK interceptor counts (forgotten after each test), an executor,
 * and helpers for namespaces, bytes, raw items and clients with interceptors of a test's own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DynamoDbBackendTestBase {
    static final String TABLE = "cachekit_backend_test";

    final Requests requests = new Requests();
    final ExecutorService executor = Executors.newFixedThreadPool(4);
    DynamoDbClient client;
    DynamoDbAsyncClient asyncClient;
    DynamoDbBackend backend;

    @BeforeAll
    void createBackend() {
        client = TestDynamo.client(TestDynamo.ENDPOINT, requests);
        asyncClient = TestDynamo.asyncClient(TestDynamo.ENDPOINT, requests);
        backend = backendOn(client, asyncClient, Duration.ofSeconds(60));
    }

    @AfterAll
    void close() {
        backend.close();
        client.close();
        asyncClient.close();
        executor.shutdownNow();
    }

    @AfterEach
    void forgetRequests() {
        requests.reset();
    }

    BackendContext context(Duration timeout, Clock clock) {
        return new BackendContext(timeout, clock, executor);
    }

    static String newNamespace() {
        return "t-" + UUID.randomUUID().toString().substring(0, 12);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    Map<String, AttributeValue> rawItem(String pk) {
        return client.getItem(b -> b.tableName(TABLE).key(ItemLayout.key(pk)).consistentRead(true))
                .item();
    }

    /** A backend on {@link #TABLE} that uses these clients (the application's own), with this operation time. */
    DynamoDbBackend backendOn(DynamoDbClient sync, DynamoDbAsyncClient async, Duration timeout) {
        return DynamoDbBackend.create(
                DynamoDbBackendOptions.builder()
                        .table(TABLE)
                        .clients(sync, async)
                        .build(),
                context(timeout, Clock.systemUTC()));
    }

    /** A sync client of the test's own on the shared server, with these interceptors in this order. */
    static DynamoDbClient clientWith(ExecutionInterceptor... interceptors) {
        return onSharedServer(DynamoDbClient.builder(), interceptors).build();
    }

    /** An async client of the test's own on the shared server, with these interceptors in this order. */
    static DynamoDbAsyncClient asyncClientWith(ExecutionInterceptor... interceptors) {
        return onSharedServer(DynamoDbAsyncClient.builder(), interceptors).build();
    }

    private static <B extends AwsClientBuilder<B, ?>> B onSharedServer(
            B builder, ExecutionInterceptor... interceptors) {
        return builder.endpointOverride(URI.create(TestDynamo.ENDPOINT))
                .region(TestDynamo.REGION)
                .credentialsProvider(TestDynamo.credentials())
                .overrideConfiguration(c -> {
                    for (ExecutionInterceptor interceptor : interceptors) {
                        c.addExecutionInterceptor(interceptor);
                    }
                });
    }
}
