package io.cachekit.mongodb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoWriteException;
import com.mongodb.ServerAddress;
import com.mongodb.WriteError;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheValueTooLargeException;
import java.time.Duration;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.BsonMaximumSizeExceededException;
import org.junit.jupiter.api.Test;

/** The mappings that need no server: size limits and duplicate keys, as the driver reports them. */
class MongoErrorsTest {
    private static final String TARGET = "mongodb://db1:27017/app";

    private static CacheBackendException translate(RuntimeException e) {
        return MongoErrors.translate("mongodb set", TARGET, e, Duration.ofSeconds(2), () -> null);
    }

    private static MongoCommandException commandError(int code) {
        return new MongoCommandException(
                BsonDocument.parse("{ok: 0, code: " + code + ", errmsg: 'refused'}"), new ServerAddress());
    }

    private static MongoWriteException writeError(int code) {
        return new MongoWriteException(
                new WriteError(code, "refused", new BsonDocument()), new ServerAddress(), Set.of());
    }

    @Test
    void aDocumentOverTheDriversOrTheServersLimitIsAValueTooLargeNotAStoreFailure() {
        BsonMaximumSizeExceededException driver =
                new BsonMaximumSizeExceededException("Payload document size is larger than maximum of 16793600.");
        assertThat(translate(driver))
                .isInstanceOf(CacheValueTooLargeException.class)
                .hasMessageContaining("larger than maximum of 16793600")
                .hasMessageContaining("nothing was written")
                .hasCause(driver);
        assertThat(translate(commandError(MongoErrors.BSON_OBJECT_TOO_LARGE)))
                .isInstanceOf(CacheValueTooLargeException.class);
        assertThat(translate(writeError(MongoErrors.BSON_OBJECT_TOO_LARGE)))
                .isInstanceOf(CacheValueTooLargeException.class);
        assertThat(translate(commandError(2)))
                .as("another server error")
                .isNotInstanceOf(CacheValueTooLargeException.class)
                .hasMessageContaining("[code 2]");
    }

    @Test
    void duplicateKeysAreRecognisedInWriteAndCommandErrors() {
        assertThat(MongoErrors.isDuplicateKey(writeError(11000))).isTrue();
        assertThat(MongoErrors.isDuplicateKey(commandError(11000))).isTrue();
        assertThat(MongoErrors.isDuplicateKey(new IllegalStateException("wrapped", writeError(11000))))
                .isTrue();
        assertThat(MongoErrors.isDuplicateKey(writeError(121)))
                .as("document validation")
                .isFalse();
        assertThat(MongoErrors.isDuplicateKey(new IllegalStateException("closed")))
                .isFalse();
    }
}
