package io.cachekit.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CacheControlTest {

    @Test
    void directivesAreCaseInsensitiveAndSpreadOverSeveralHeaders() {
        CacheControl cc = CacheControl.parse(List.of("No-Store", " MAX-AGE=60 , private"));
        assertThat(cc.noStore()).isTrue();
        assertThat(cc.isPrivate()).isTrue();
        assertThat(cc.noCache()).isFalse();
        assertThat(cc.maxAge()).hasValue(60);
    }

    @Test
    void absentHeadersHaveNoDirectives() {
        CacheControl cc = CacheControl.parse(List.of());
        assertThat(cc.noStore()).isFalse();
        assertThat(cc.noCache()).isFalse();
        assertThat(cc.maxAge()).isEmpty();
    }

    @Test
    void quotedArgumentsMayHoldCommasAndEscapes() {
        CacheControl cc = CacheControl.parse(List.of("no-cache=\"Set-Cookie, X-Foo\", ext=\"a\\\"b\", public"));
        assertThat(cc.noCache()).isTrue();
        assertThat(cc.argument("no-cache")).isEqualTo("Set-Cookie, X-Foo");
        assertThat(cc.argument("ext")).isEqualTo("a\"b");
        assertThat(cc.has("public")).isTrue();
        assertThat(cc.directives()).containsOnlyKeys("no-cache", "ext", "public");
    }

    @Test
    void privateWithFieldNamesStillCountsAsPrivate() {
        assertThat(CacheControl.parse(List.of("private=\"Authorization\"")).isPrivate())
                .isTrue();
    }

    @Test
    void malformedPartsAreSkippedAndTheFirstOccurrenceWins() {
        CacheControl cc = CacheControl.parse(List.of(",, =x, max-age=abc, max-age=5, no-store,"));
        assertThat(cc.noStore()).isTrue();
        assertThat(cc.argument("max-age")).isEqualTo("abc");
        assertThat(cc.maxAge()).isEmpty();
        assertThat(CacheControl.parse(List.of("max-age=\"30\"")).maxAge()).hasValue(30);
        assertThat(CacheControl.parse(List.of("max-age=99999999999999999999")).maxAge())
                .hasValue(Long.MAX_VALUE);
    }

    @Test
    void unterminatedQuotedStringEndsTheHeader() {
        CacheControl cc = CacheControl.parse(List.of("no-cache=\"abc, no-store"));
        assertThat(cc.noCache()).isTrue();
        assertThat(cc.noStore()).isFalse();
    }

    @Test
    void freshnessAndStaleDirectivesAreReadOneByOne() {
        CacheControl cc = CacheControl.parse(List.of(
                "public, s-maxage=0, max-age=5", "stale-while-revalidate=30, stale-if-error=600, must-revalidate"));
        assertThat(cc.sMaxAge()).hasValue(0);
        assertThat(cc.maxAge()).hasValue(5);
        assertThat(cc.staleWhileRevalidate()).hasValue(30);
        assertThat(cc.staleIfError()).hasValue(600);
        assertThat(cc.mustRevalidate()).isTrue();
        assertThat(CacheControl.parse(List.of("proxy-revalidate")).mustRevalidate())
                .isTrue();
        assertThat(CacheControl.parse(List.of("no-transform")).noTransform()).isTrue();
        assertThat(CacheControl.parse(List.of("stale-while-revalidate=-1")).staleWhileRevalidate())
                .isEmpty();
    }

    @Test
    void directivesAreNeverFoundByComparingTheWholeValue() {
        // "private, no-store" is no directive named "private, no-store": each one is seen.
        CacheControl cc = CacheControl.parse(List.of("private, no-store"));
        assertThat(cc.isPrivate()).isTrue();
        assertThat(cc.noStore()).isTrue();
        assertThat(CacheControl.parse(List.of("xno-store, no-storex")).noStore())
                .isFalse();
    }
}
