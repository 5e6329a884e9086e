package io.cachekit.example;

import io.cachekit.Cache;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheEntry;
import io.cachekit.spring.CachedResponse;
import io.cachekit.spring.CachekitProperties;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** The example's endpoints; see the README for what each answers. */
@RestController
public class ExampleController {
    private static final Duration PROFILE_TTL = Duration.ofMinutes(10);

    private final WeatherService weather;
    private final ProfileStore profiles;
    private final CountryService countries;
    private final Cache cache;
    private final String httpNamespace;

    public ExampleController(
            WeatherService weather,
            ProfileStore profiles,
            CountryService countries,
            Cache cache,
            CachekitProperties properties) {
        this.weather = weather;
        this.profiles = profiles;
        this.countries = countries;
        this.cache = cache;
        this.httpNamespace = properties.getHttp().getNamespace();
    }

    /** Cached by {@code @Cached} on the service method: the first call per city is slow. */
    @GetMapping("/weather/{city}")
    public Weather weather(@PathVariable String city) {
        return weather.current(city);
    }

    /** The whole response is cached for 30 seconds: X-Cache, ETag, 304, Cache-Control and Age. */
    @GetMapping("/forecast/{city}")
    @CachedResponse(ttl = "30s")
    public Weather forecast(@PathVariable String city) {
        return weather.lookup(city);
    }

    /**
     * The injected Cache used directly: read with its remaining TTL, load and store on a miss. The direct API
     * throws when the store fails (the default errorPolicy); this endpoint answers from the loader then,
     * saying so in {@code source}, so it keeps working while the store is down.
     */
    @GetMapping("/profiles/{id}")
    public ProfileView profile(@PathVariable long id) {
        String key = "profile:" + id;
        try {
            CacheEntry<Profile> entry = cache.getWithTtl(key, Profile.class);
            if (entry != null) {
                long ttl = entry.remainingTtl()
                        .map(d -> (d.toMillis() + 999) / 1000)
                        .orElse(-1L); // rounded up
                return new ProfileView(entry.value(), "cache", ttl);
            }
        } catch (CacheBackendException storeDown) {
            // Cachekit has logged (rate-limited) and counted the failure; answer without the cache.
            return new ProfileView(profiles.load(id), "loaded, cache unavailable", -1);
        }
        Profile profile = profiles.load(id);
        try {
            cache.set(key, profile, PROFILE_TTL);
        } catch (CacheBackendException storeDown) {
            return new ProfileView(profile, "loaded, cache unavailable", -1);
        }
        return new ProfileView(profile, "loaded", PROFILE_TTL.toSeconds());
    }

    /** Spring's {@code @Cacheable} on Cachekit. */
    @GetMapping("/countries/{code}")
    public CountryService.Country country(@PathVariable String code) {
        return countries.find(code);
    }

    /** How often the slow services really ran. */
    @GetMapping("/lookups")
    public Map<String, Integer> lookups() {
        return Map.of("weather", weather.lookups(), "profiles", profiles.loads(), "countries", countries.loads());
    }

    /** Empties every namespace the example uses. */
    @DeleteMapping("/cache")
    public Map<String, List<String>> clear() {
        List<String> namespaces = List.of(cache.namespace(), "weather", "countries", httpNamespace);
        for (String namespace : namespaces) {
            cache.withNamespace(namespace).clear();
        }
        return Map.of("cleared", namespaces);
    }

    /**
     * A profile and where it came from.
     *
     * @param profile the profile
     * @param source {@code cache} or {@code loaded}
     * @param ttlSeconds the seconds the cached profile has left
     */
    public record ProfileView(Profile profile, String source, long ttlSeconds) {}
}
