package io.cachekit.example;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/** Plain Spring {@code @Cacheable}, unchanged, running on Cachekit through the starter's CacheManager. */
@Service
public class CountryService {
    private static final Map<String, String> NAMES =
            Map.of("FR", "France", "GB", "United Kingdom", "NO", "Norway", "PT", "Portugal", "AT", "Austria");

    private final Slowness slowness;
    private final AtomicInteger loads = new AtomicInteger();

    public CountryService(Slowness slowness) {
        this.slowness = slowness;
    }

    /**
     * A country by ISO code.
     *
     * @param code the two-letter code, any case
     * @param name the country's name, or {@code unknown}
     */
    public record Country(String code, String name) {}

    @Cacheable("countries")
    public Country find(String code) {
        loads.incrementAndGet();
        slowness.pause();
        String c = code.toUpperCase(Locale.ROOT);
        return new Country(c, NAMES.getOrDefault(c, "unknown"));
    }

    public int loads() {
        return loads.get();
    }
}
