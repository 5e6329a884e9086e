package io.cachekit.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.http.CapturedResponse;
import io.cachekit.http.ResponseCachePolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FreshnessTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final ResponseCachePolicy POLICY = ResponseCachePolicy.builder()
            .ttl(Duration.ofSeconds(60))
            .staleWhileRevalidate(Duration.ofSeconds(10))
            .staleIfError(Duration.ofSeconds(20))
            .build();

    private static Freshness of(Map<String, List<String>> headers) {
        return Freshness.of(POLICY, new CapturedResponse(200, headers, new byte[0]), NOW);
    }

    private static String date(long millis) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(
                Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC));
    }

    @Test
    void withoutTheHandlersFreshnessThePolicyDecides() {
        assertThat(of(Map.of())).isEqualTo(new Freshness(60_000, 10_000, 20_000));
        assertThat(of(Map.of()).totalMillis()).isEqualTo(80_000);
    }

    @Test
    void theHandlersFreshnessShortensButNeverLengthensTheTtl() {
        assertThat(of(Map.of("Cache-Control", List.of("max-age=5"))).lifetimeMillis())
                .isEqualTo(5_000);
        assertThat(of(Map.of("Cache-Control", List.of("max-age=600"))).lifetimeMillis())
                .isEqualTo(60_000);
        assertThat(of(Map.of("Cache-Control", List.of("max-age=99999999999999999999")))
                        .lifetimeMillis())
                .isEqualTo(60_000);
    }

    @Test
    void sMaxAgeComesFirstForThisSharedCache() {
        assertThat(of(Map.of("Cache-Control", List.of("max-age=5, s-maxage=30")))
                        .lifetimeMillis())
                .isEqualTo(30_000);
        assertThat(of(Map.of("Cache-Control", List.of("max-age=30, s-maxage=0"))))
                .isNull();
    }

    @Test
    void zeroIsNotStored() {
        assertThat(of(Map.of("Cache-Control", List.of("max-age=0")))).isNull();
        assertThat(of(Map.of("Cache-Control", List.of("s-maxage=0")))).isNull();
    }

    @Test
    void expiresCountsFromDateOrNowAndAnInvalidOneHasExpired() {
        assertThat(of(Map.of("Expires", List.of(date(NOW + 7_000)))).lifetimeMillis())
                .isEqualTo(7_000);
        assertThat(of(Map.of("Expires", List.of(date(NOW + 7_000)), "Date", List.of(date(NOW - 3_000))))
                        .lifetimeMillis())
                .isEqualTo(10_000);
        assertThat(of(Map.of("Expires", List.of(date(NOW - 1_000))))).isNull();
        assertThat(of(Map.of("Expires", List.of("0")))).isNull();
        assertThat(of(Map.of("Expires", List.of("0"), "Cache-Control", List.of("max-age=9")))
                        .lifetimeMillis())
                .as("max-age wins over Expires")
                .isEqualTo(9_000);
    }

    @Test
    void theHandlersStaleWindowsReplaceThePolicysAndMustRevalidateForbidsThem() {
        assertThat(of(Map.of("Cache-Control", List.of("stale-while-revalidate=3, stale-if-error=0"))))
                .isEqualTo(new Freshness(60_000, 3_000, 0));
        assertThat(of(Map.of("Cache-Control", List.of("max-age=30, must-revalidate"))))
                .isEqualTo(new Freshness(30_000, 0, 0));
    }
}
