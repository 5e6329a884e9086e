package io.cachekit.example;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Service;

/** The slow profile database. Counts its loads. Thread-safe. */
@Service
public class ProfileStore {
    private static final List<String> NAMES = List.of("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald");
    private static final List<String> CITIES = List.of("Paris", "London", "Oslo", "Lisbon", "Vienna", "Rome");

    private final Slowness slowness;
    private final AtomicInteger loads = new AtomicInteger();

    public ProfileStore(Slowness slowness) {
        this.slowness = slowness;
    }

    public Profile load(long id) {
        loads.incrementAndGet();
        slowness.pause();
        int i = (int) Math.floorMod(id, (long) NAMES.size());
        return new Profile(id, NAMES.get(i), CITIES.get(i));
    }

    /** How many loads reached the database. */
    public int loads() {
        return loads.get();
    }
}
