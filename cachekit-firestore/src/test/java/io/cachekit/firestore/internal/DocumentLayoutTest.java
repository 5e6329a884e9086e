package io.cachekit.firestore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.Timestamp;
import io.cachekit.spi.StoredKeys;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The document layout's pure parts: ids, expiry timestamps, sizes, collection paths. */
class DocumentLayoutTest {

    @Test
    void theDocumentIdIsTheKeysDigest() {
        String id = DocumentLayout.documentId("app", "user:42");
        assertThat(id)
                .isEqualTo(StoredKeys.digest("app", "user:42"))
                .hasSize(43)
                .doesNotContain("/");
        assertThat(DocumentLayout.documentId("app", "x".repeat(10_000))).hasSize(43);
        assertThat(DocumentLayout.documentId("app", "a")).isNotEqualTo(DocumentLayout.documentId("app-x", "a"));
    }

    @Test
    void aDigestOfFirestoresReservedFormGetsAPrefixThatBase64NeverProduces() {
        assertThat(DocumentLayout.allowedId("__abc-def__")).isEqualTo("~__abc-def__");
        assertThat(DocumentLayout.allowedId("__abc")).isEqualTo("__abc");
        assertThat(DocumentLayout.allowedId("abc__")).isEqualTo("abc__");
    }

    @Test
    void expiryIsRoundedUpToMicrosecondsAndNeverEarly() {
        Instant now = Instant.parse("2026-01-02T03:04:05.000000001Z");
        Timestamp at = DocumentLayout.expiresAt(now, Duration.ofSeconds(30));
        assertThat(at).isEqualTo(Timestamp.parseTimestamp("2026-01-02T03:04:35.000001Z"));
        Timestamp whole =
                DocumentLayout.expiresAt(Instant.parse("2026-01-02T03:04:05.999999999Z"), Duration.ofNanos(1));
        assertThat(whole).isEqualTo(Timestamp.parseTimestamp("2026-01-02T03:04:06Z"));
        assertThat(DocumentLayout.expiresAt(now, Duration.ofMillis(1))
                        .toSqlTimestamp()
                        .toInstant())
                .isAfterOrEqualTo(now.plusMillis(1));
    }

    @Test
    void noTtlAndExpiriesPastYear9999AreWrittenWithoutExpiry() {
        Instant now = Instant.parse("2026-01-02T03:04:05Z");
        assertThat(DocumentLayout.expiresAt(now, null)).isNull();
        assertThat(DocumentLayout.expiresAt(now, Duration.ofDays(365L * 9000))).isNull();
        assertThat(DocumentLayout.expiresAt(now, Duration.ofSeconds(Long.MAX_VALUE)))
                .isNull();
        assertThat(DocumentLayout.expiresAt(now, Duration.ofDays(365L * 7000))).isNotNull();
        assertThatThrownBy(() -> DocumentLayout.expiresAt(now, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void documentSizeFollowsFirestoresRules() {
        // Name: "users" (5 + 1) + "jeff" (4 + 1) + 16 = 27, as in Firestore's storage-size documentation.
        int users = DocumentLayout.pathBytes("users");
        assertThat(users).isEqualTo(6);
        long withoutValue = DocumentLayout.documentBytes(users, "jeff", "app", 0, false);
        // 27 + "ns" (3) + "app" (4) + "value" (6) + 0 bytes + "expiresAt" (10) + null (1) + 32
        assertThat(withoutValue).isEqualTo(27 + 3 + 4 + 6 + 10 + 1 + 32);
        // a Timestamp (8) instead of null (1)
        assertThat(DocumentLayout.documentBytes(users, "jeff", "app", 0, true)).isEqualTo(withoutValue + 7);
        assertThat(DocumentLayout.documentBytes(users, "jeff", "app", 1000, false))
                .isEqualTo(withoutValue + 1000);
        assertThat(DocumentLayout.pathBytes("tenants/acme/cache")).isEqualTo(8 + 5 + 6);
        assertThat(DocumentLayout.documentBytes(users, "jeff", "ключ", 0, false))
                .as("namespaces count in UTF-8 bytes")
                .isEqualTo(withoutValue - 4 + 9);
    }

    @Test
    void collectionPathsAreChecked() {
        assertThat(DocumentLayout.checkCollectionPath("cachekit")).isEqualTo("cachekit");
        assertThat(DocumentLayout.checkCollectionPath("tenants/acme/cache")).isEqualTo("tenants/acme/cache");
        for (String bad :
                new String[] {"", "a/b", "a//b", "/a", "a/", ".", "..", "__cache__", "a/b/__c__", "é".repeat(751)}) {
            assertThatThrownBy(() -> DocumentLayout.checkCollectionPath(bad))
                    .as("'%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("collection");
        }
    }
}
