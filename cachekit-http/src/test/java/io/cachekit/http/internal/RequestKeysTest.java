package io.cachekit.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestKeysTest {
    private static final Map<String, List<String>> NO_VARY = Map.of();

    @Test
    void queryOrderAndEncodingDoNotChangeTheKey() {
        String key = RequestKeys.key("GET", "/items", "b=2&a=1&a=0", NO_VARY, null);
        assertThat(RequestKeys.key("GET", "/items", "a=0&b=2&a=1", NO_VARY, null))
                .isEqualTo(key);
        assertThat(RequestKeys.key("GET", "/items", "a=1&&a=0&b=%32", NO_VARY, null))
                .isEqualTo(key);
        assertThat(RequestKeys.key("GET", "/q", "city=New+York", NO_VARY, null))
                .isEqualTo(RequestKeys.key("GET", "/q", "city=New%20York", NO_VARY, null));
    }

    @Test
    void everyPartOfTheRequestChangesTheKey() {
        String key = RequestKeys.key("GET", "/items", "a=1", NO_VARY, null);
        assertThat(RequestKeys.key("HEAD", "/items", "a=1", NO_VARY, null)).isNotEqualTo(key);
        assertThat(RequestKeys.key("GET", "/items/", "a=1", NO_VARY, null)).isNotEqualTo(key);
        assertThat(RequestKeys.key("GET", "/items", "a=2", NO_VARY, null)).isNotEqualTo(key);
        assertThat(RequestKeys.key("GET", "/items", null, NO_VARY, null)).isNotEqualTo(key);
        assertThat(RequestKeys.key("GET", "/items", "a=1", Map.of("accept", List.of("text/plain")), null))
                .isNotEqualTo(key);
        assertThat(RequestKeys.key("GET", "/items", "a=1", NO_VARY, "token")).isNotEqualTo(key);
    }

    @Test
    void partsCannotBeShiftedIntoEachOther() {
        assertThat(RequestKeys.key("GET", "/a", "b=c&d=", NO_VARY, null))
                .isNotEqualTo(RequestKeys.key("GET", "/a", "b=c%26d%3D", NO_VARY, null));
        assertThat(RequestKeys.key("GET", "/a", "x=1", NO_VARY, null))
                .isNotEqualTo(RequestKeys.key("GET", "/a", "x1", NO_VARY, null));
    }

    @Test
    void varyValuesSelectEntries() {
        Map<String, List<String>> english = new LinkedHashMap<>();
        english.put("accept-language", List.of("en"));
        Map<String, List<String>> german = new LinkedHashMap<>();
        german.put("accept-language", List.of("de"));
        Map<String, List<String>> absent = new LinkedHashMap<>();
        absent.put("accept-language", List.of());
        assertThat(RequestKeys.key("GET", "/", null, english, null))
                .isEqualTo(RequestKeys.key("GET", "/", null, Map.of("accept-language", List.of(" en ")), null))
                .isNotEqualTo(RequestKeys.key("GET", "/", null, german, null))
                .isNotEqualTo(RequestKeys.key("GET", "/", null, absent, null));
    }

    @Test
    void perUserValueIsHashedAndNeverAppearsInTheKey() {
        String alice = RequestKeys.key("GET", "/me", null, NO_VARY, "Bearer alice-secret");
        String bob = RequestKeys.key("GET", "/me", null, NO_VARY, "Bearer bob-secret");
        assertThat(alice).isNotEqualTo(bob).doesNotContain("alice").doesNotContain("secret");
        assertThat(RequestKeys.key("GET", "/me", null, NO_VARY, "Bearer alice-secret"))
                .isEqualTo(alice);
        assertThat(RequestKeys.key("GET", "/me", null, NO_VARY, null)).isNotEqualTo(alice);
    }

    @Test
    void keysAreShortAndStartWithTheMethod() {
        String key = RequestKeys.key("GET", "/" + "x".repeat(5000), "q=" + "y".repeat(5000), NO_VARY, null);
        assertThat(key).startsWith("GET:").hasSize(4 + 43).doesNotContain("xxx");
    }
}
