package io.cachekit.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntityTagsTest {
    private static final String TAG = "\"abc\"";

    @Test
    void strongTagIsTheSha256OfTheBodyAndTheSameInEveryProcess() {
        // SHA-256("hello"), base64url without padding: a constant, not a per-process salted hash.
        assertThat(EntityTags.strongTag("hello".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("\"LPJNul-wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ\"");
        assertThat(EntityTags.strongTag(new byte[0])).isEqualTo("\"47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU\"");
        assertThat(EntityTags.strongTag("a".getBytes(StandardCharsets.UTF_8)))
                .isNotEqualTo(EntityTags.strongTag("b".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void exactTagMatches() {
        assertThat(EntityTags.noneMatchSatisfied(List.of("\"abc\""), TAG)).isTrue();
        assertThat(EntityTags.noneMatchSatisfied(List.of("\"abd\""), TAG)).isFalse();
        assertThat(EntityTags.noneMatchSatisfied(List.of(), TAG)).isFalse();
    }

    @Test
    void anyMemberOfAListOrOfSeveralHeadersMatches() {
        assertThat(EntityTags.noneMatchSatisfied(List.of("\"x\", \"y\",\"abc\""), TAG))
                .isTrue();
        assertThat(EntityTags.noneMatchSatisfied(List.of("\"x\"", "\"abc\""), TAG))
                .isTrue();
        assertThat(EntityTags.noneMatchSatisfied(List.of("\"x\", \"y\""), TAG)).isFalse();
    }

    @Test
    void weakComparisonIgnoresTheWeakPrefixOnEitherSide() {
        assertThat(EntityTags.noneMatchSatisfied(List.of("W/\"abc\""), TAG)).isTrue();
        assertThat(EntityTags.noneMatchSatisfied(List.of("\"abc\""), "W/\"abc\""))
                .isTrue();
        assertThat(EntityTags.noneMatchSatisfied(List.of("W/\"abc\""), "W/\"abc\""))
                .isTrue();
    }

    @Test
    void starMatchesAnyStoredResponse() {
        assertThat(EntityTags.noneMatchSatisfied(List.of("*"), TAG)).isTrue();
        assertThat(EntityTags.noneMatchSatisfied(List.of(" * "), "\"other\"")).isTrue();
    }

    @Test
    void commasInsideATagDoNotSplitIt() {
        assertThat(EntityTags.noneMatchSatisfied(List.of("\"a,b\""), "\"a,b\"")).isTrue();
        assertThat(EntityTags.noneMatchSatisfied(List.of("\"a,b\""), "\"a\"")).isFalse();
    }

    @Test
    void malformedMembersAreSkippedWithoutMatchingByAccident() {
        assertThat(EntityTags.noneMatchSatisfied(List.of("abc, \"abc\""), TAG)).isTrue();
        assertThat(EntityTags.noneMatchSatisfied(List.of("abc"), TAG)).isFalse();
        assertThat(EntityTags.noneMatchSatisfied(List.of("\"abc"), TAG)).isFalse();
        assertThat(EntityTags.noneMatchSatisfied(List.of("w/\"abc\""), TAG)).isFalse();
    }

    @Test
    void validity() {
        assertThat(EntityTags.isValid("\"x\"")).isTrue();
        assertThat(EntityTags.isValid("W/\"x\"")).isTrue();
        assertThat(EntityTags.isValid("x")).isFalse();
        assertThat(EntityTags.isValid("\"x\"y\"")).isFalse();
    }

    @Test
    void theGzipRepresentationHasItsOwnTag() {
        assertThat(EntityTags.gzipTag("\"abc\"")).isEqualTo("\"abc-gzip\"");
        assertThat(EntityTags.gzipTag(" W/\"abc\" ")).isEqualTo("W/\"abc-gzip\"");
        assertThat(EntityTags.isValid(EntityTags.gzipTag(TAG))).isTrue();
        assertThat(EntityTags.noneMatchSatisfied(List.of(TAG), EntityTags.gzipTag(TAG)))
                .isFalse();
    }
}
