package io.cachekit.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class RequestKeysTest {
    private static final Map<String, List<String>> NO_VARY = Map.of();
    private static final Function<String, List<String>> NO_HEADERS = name -> List.of();
    private static final RequestKeys.Variant PLAIN =
            new RequestKeys.Variant("http://example.com", "GET", null, null, NO_VARY, null);

    private static String variant(RequestKeys.Variant v) {
        return RequestKeys.variantKey("t", v, List.of(), NO_HEADERS);
    }

    @Test
    void parametersAreSortedByNameOnlySoRepeatedValuesKeepTheirOrder() {
        String key = RequestKeys.urlKey("/items", "b=2&a=1&a=0");
        assertThat(RequestKeys.urlKey("/items", "a=1&b=2&a=0")).isEqualTo(key);
        assertThat(RequestKeys.urlKey("/items", "a=1&&a=0&b=%32")).isEqualTo(key);
        assertThat(RequestKeys.urlKey("/items", "a=0&b=2&a=1"))
                .as("?a=0&a=1 is not ?a=1&a=0")
                .isNotEqualTo(key);
        assertThat(RequestKeys.urlKey("/q", "x=2&x=1")).isNotEqualTo(RequestKeys.urlKey("/q", "x=1&x=2"));
        assertThat(RequestKeys.urlKey("/q", "city=New+York")).isEqualTo(RequestKeys.urlKey("/q", "city=New%20York"));
    }

    @Test
    void theUrlKeyIsThePathAndQueryAndNothingElse() {
        String key = RequestKeys.urlKey("/items", "a=1");
        assertThat(RequestKeys.urlKey("/items/", "a=1")).isNotEqualTo(key);
        assertThat(RequestKeys.urlKey("/items", "a=2")).isNotEqualTo(key);
        assertThat(RequestKeys.urlKey("/items", null)).isNotEqualTo(key).isEqualTo(RequestKeys.urlKey("/items", ""));
        assertThat(RequestKeys.urlKey("/a", "b=c&d=")).isNotEqualTo(RequestKeys.urlKey("/a", "b=c%26d%3D"));
        assertThat(RequestKeys.urlKey("/a", "x=1")).isNotEqualTo(RequestKeys.urlKey("/a", "x1"));
        assertThat(key).startsWith("u:").hasSize(2 + 43);
    }

    @Test
    void everyPartOfTheVariantChangesItsKey() {
        String key = variant(PLAIN);
        assertThat(RequestKeys.variantKey("u", PLAIN, List.of(), NO_HEADERS)).isNotEqualTo(key);
        assertThat(variant(new RequestKeys.Variant("https://example.com", "GET", null, null, NO_VARY, null)))
                .as("scheme")
                .isNotEqualTo(key);
        assertThat(variant(new RequestKeys.Variant("http://other.example", "GET", null, null, NO_VARY, null)))
                .as("host")
                .isNotEqualTo(key);
        assertThat(variant(new RequestKeys.Variant(null, "GET", null, null, NO_VARY, null)))
                .as("no host")
                .isNotEqualTo(key);
        assertThat(variant(new RequestKeys.Variant(
                        "http://example.com", "GET", null, null, Map.of("accept", List.of("text/plain")), null)))
                .isNotEqualTo(key);
        assertThat(variant(new RequestKeys.Variant("http://example.com", "GET", null, null, NO_VARY, "token")))
                .isNotEqualTo(key);
        assertThat(key).startsWith("r:").hasSize(2 + 43);
    }

    @Test
    void postBodiesAndContentTypesSelectEntries() {
        byte[] a = EntityTags.sha256("{\"q\":1}".getBytes(StandardCharsets.UTF_8));
        byte[] b = EntityTags.sha256("{\"q\":2}".getBytes(StandardCharsets.UTF_8));
        String json = variant(new RequestKeys.Variant(null, "POST", "application/json", a, NO_VARY, null));
        assertThat(variant(new RequestKeys.Variant(null, "POST", "application/json", a, NO_VARY, null)))
                .isEqualTo(json);
        assertThat(variant(new RequestKeys.Variant(null, "POST", "application/json", b, NO_VARY, null)))
                .isNotEqualTo(json);
        assertThat(variant(new RequestKeys.Variant(null, "POST", "text/plain", a, NO_VARY, null)))
                .isNotEqualTo(json);
        assertThat(variant(new RequestKeys.Variant(null, "GET", null, null, NO_VARY, null)))
                .isNotEqualTo(json);
    }

    @Test
    void configuredVaryValuesSelectEntries() {
        Map<String, List<String>> english = new LinkedHashMap<>();
        english.put("accept-language", List.of("en"));
        Map<String, List<String>> german = new LinkedHashMap<>();
        german.put("accept-language", List.of("de"));
        Map<String, List<String>> absent = new LinkedHashMap<>();
        absent.put("accept-language", List.of());
        assertThat(variant(new RequestKeys.Variant(null, "GET", null, null, english, null)))
                .isEqualTo(variant(new RequestKeys.Variant(
                        null, "GET", null, null, Map.of("accept-language", List.of(" en ")), null)))
                .isNotEqualTo(variant(new RequestKeys.Variant(null, "GET", null, null, german, null)))
                .isNotEqualTo(variant(new RequestKeys.Variant(null, "GET", null, null, absent, null)));
    }

    @Test
    void learnedVaryHeadersSelectEntriesAndAcceptEncodingIsNormalized() {
        Map<String, List<String>> request =
                Map.of("accept-language", List.of("en"), "accept-encoding", List.of("gzip, br"));
        Function<String, List<String>> headers = name -> request.getOrDefault(name, List.of());
        String english = RequestKeys.variantKey("t", PLAIN, List.of("accept-language"), headers);
        assertThat(english)
                .isNotEqualTo(RequestKeys.variantKey("t", PLAIN, List.of("accept-language"), n -> List.of("de")))
                .isNotEqualTo(variant(PLAIN));
        String encoded = RequestKeys.variantKey("t", PLAIN, List.of("accept-encoding"), headers);
        assertThat(RequestKeys.variantKey(
                        "t", PLAIN, List.of("accept-encoding"), n -> List.of("br;q=1.0, gzip;q=0.8, identity;q=0")))
                .isEqualTo(encoded);
        assertThat(RequestKeys.variantKey("t", PLAIN, List.of("accept-encoding"), n -> List.of("gzip")))
                .isNotEqualTo(encoded);
    }

    @Test
    void perUserValueIsHashedAndNeverAppearsInTheKey() {
        String alice = variant(new RequestKeys.Variant(null, "GET", null, null, NO_VARY, "Bearer alice-secret"));
        String bob = variant(new RequestKeys.Variant(null, "GET", null, null, NO_VARY, "Bearer bob-secret"));
        assertThat(alice).isNotEqualTo(bob).doesNotContain("alice").doesNotContain("secret");
    }

    @Test
    void originsLeaveOutDefaultPortsAndCase() {
        assertThat(RequestKeys.origin("HTTP", "Example.com:80")).isEqualTo("http://example.com");
        assertThat(RequestKeys.origin("https", "example.com:443")).isEqualTo("https://example.com");
        assertThat(RequestKeys.origin("http", "example.com:8080")).isEqualTo("http://example.com:8080");
        assertThat(RequestKeys.origin("https", "example.com:80")).isEqualTo("https://example.com:80");
    }
}
