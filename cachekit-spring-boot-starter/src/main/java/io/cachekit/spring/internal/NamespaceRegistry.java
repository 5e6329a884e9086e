package io.cachekit.spring.internal;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The namespaces this application has used: the Cache bean's, the HTTP responses', Spring caches' and those
 * named by {@code @Cached} methods, as they come into use. Core keeps no list of namespaces, so the
 * components that derive them report here. Thread-safe; not API.
 */
public final class NamespaceRegistry {
    private final Set<String> namespaces = new ConcurrentSkipListSet<>();

    public void add(String namespace) {
        namespaces.add(namespace);
    }

    public boolean contains(String namespace) {
        return namespaces.contains(namespace);
    }

    /** A sorted snapshot. */
    public Set<String> namespaces() {
        return new TreeSet<>(namespaces);
    }
}
