package io.cachekit.dynamodb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.CacheBackendException;
import io.cachekit.CacheValueTooLargeException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/** How the SDK's errors become Cachekit's, without a server. */
class DynamoDbErrorsTest {
    private final DynamoDbErrors errors = new DynamoDbErrors("table t at http://127.0.0.1:1", Duration.ofSeconds(2));

    private static DynamoDbException serviceError(String code, String message) {
        return (DynamoDbException) DynamoDbException.builder()
                .awsErrorDetails(AwsErrorDetails.builder()
                        .errorCode(code)
                        .errorMessage(message)
                        .build())
                .statusCode(400)
                .build();
    }

    @Test
    void anItemOverTheLimitIsAValueTooLargeWhetherFoundBeforeSendingOrRefusedByDynamoDb() {
        assertThat(errors.tooLarge("set", 500_000, 500_100))
                .isInstanceOf(CacheValueTooLargeException.class)
                .hasMessageContaining("400 KB")
                .hasMessageContaining("nothing was written");

        DynamoDbException refused =
                serviceError("ValidationException", "Item size has exceeded the maximum allowed size");
        CacheBackendException mapped = errors.map("set", new CompletionException(refused));
        assertThat(mapped)
                .isInstanceOf(CacheValueTooLargeException.class)
                .hasMessageContaining("dynamodb set")
                .hasMessageContaining("400 KB")
                .hasCause(refused);
    }

    @Test
    void otherServiceErrorsStayBackendFailures() {
        CacheBackendException mapped =
                errors.map("get", serviceError("AccessDeniedException", "not authorized to perform BatchGetItem"));
        assertThat(mapped).isNotInstanceOf(CacheValueTooLargeException.class).hasMessageContaining("AccessDenied");
    }
}
