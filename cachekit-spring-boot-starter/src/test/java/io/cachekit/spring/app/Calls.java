package io.cachekit.spring.app;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/** Counts how often each real method ran, by name and argument. Thread-safe. */
@Component
public class Calls {
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    public int increment(String what) {
        return counts.computeIfAbsent(what, w -> new AtomicInteger()).incrementAndGet();
    }

    public int get(String what) {
        AtomicInteger n = counts.get(what);
        return n == null ? 0 : n.get();
    }
}
