package io.cachekit.example;

import io.cachekit.Cached;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Service;

/**
 * The slow weather lookup, as a call to a remote weather API would be, and its cached form. Counts the slow
 * calls so that hits can be seen. Thread-safe.
 */
@Service
public class WeatherService {
    private static final List<String> CONDITIONS = List.of("sunny", "cloudy", "rainy", "windy", "foggy", "snowy");

    private final Slowness slowness;
    private final AtomicInteger lookups = new AtomicInteger();

    public WeatherService(Slowness slowness) {
        this.slowness = slowness;
    }

    /** The slow call: every call reaches the (simulated) remote service. */
    public Weather lookup(String city) {
        int n = lookups.incrementAndGet();
        slowness.pause();
        String name = city.trim().toLowerCase(Locale.ROOT);
        int seed = Math.floorMod(name.hashCode(), 1000); // String.hashCode is specified, so stable everywhere
        return new Weather(name, seed % 35 - 5, CONDITIONS.get(seed % CONDITIONS.size()), n);
    }

    /** The same report, cached for five minutes in the namespace {@code weather}: one slow call per city. */
    @Cached(namespace = "weather", ttl = "5m")
    public Weather current(String city) {
        return lookup(city);
    }

    /** How many slow calls were made. */
    public int lookups() {
        return lookups.get();
    }
}
