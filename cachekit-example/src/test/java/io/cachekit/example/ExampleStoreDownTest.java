package io.cachekit.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.BackendStatus;
import io.cachekit.Cache;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The example starts while its store is unreachable (Redis on a port where nothing listens) and answers
 * every endpoint through the real services, counting how often each ran.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"example.slowness=0s", "cachekit.backend=redis://127.0.0.1:1"})
class ExampleStoreDownTest {
    private final HttpClient client = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    Cache cache;

    @Autowired
    WeatherService weather;

    @Autowired
    ProfileStore profiles;

    @Autowired
    CountryService countries;

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyEndpointAnswersWhileTheStoreIsDown() throws Exception {
        assertThat(cache.backendStatus()).isEqualTo(BackendStatus.CONNECTING);
        int weatherBefore = weather.lookups();
        int profilesBefore = profiles.loads();
        int countriesBefore = countries.loads();
        for (int i = 0; i < 2; i++) {
            assertThat(get("/weather/Lima").statusCode()).isEqualTo(200);
            assertThat(get("/forecast/Oslo").statusCode()).isEqualTo(200);
            HttpResponse<String> profile = get("/profiles/7");
            assertThat(profile.statusCode()).isEqualTo(200);
            assertThat(profile.body()).contains("cache unavailable");
            assertThat(get("/countries/no").statusCode()).isEqualTo(200);
        }
        assertThat(get("/lookups").statusCode()).isEqualTo(200);
        assertThat(get("/actuator/cachekit").statusCode()).isEqualTo(200);
        assertThat(weather.lookups() - weatherBefore)
                .as("the real service answered every weather and forecast call")
                .isEqualTo(4);
        assertThat(profiles.loads() - profilesBefore).isEqualTo(2);
        assertThat(countries.loads() - countriesBefore).isEqualTo(2);
    }
}
