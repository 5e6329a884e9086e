package io.cachekit.memory;

import com.github.benmanes.caffeine.cache.Expiry;

/** The stored forms of the in-memory backend's keys and entries, and Caffeine's expiry of them. */
final class StoredForms {
    private StoredForms() {}

    /** (namespace, key), with the hash computed once. */
    static final class NamespacedKey {
        final String namespace;
        final String key;
        private final int hash;

        NamespacedKey(String namespace, String key) {
            this.namespace = namespace;
            this.key = key;
            this.hash = 31 * namespace.hashCode() + key.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NamespacedKey other && key.equals(other.key) && namespace.equals(other.namespace);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** A value that expires, with its deadline in ticks. */
    static final class Timed {
        final Object value;
        final long deadline;

        Timed(Object value, long deadline) {
            this.value = value;
            this.deadline = deadline;
        }
    }

    /**
     * Caffeine's expiry: an entry with a deadline expires then, others never. {@code now} is Caffeine's time, so the
     * entry's expiry time ({@code now} plus the duration) is its deadline exactly.
     */
    enum DeadlineExpiry implements Expiry<Object, Object> {
        INSTANCE;

        @Override
        public long expireAfterCreate(Object key, Object value, long now) {
            return value instanceof Timed t ? Math.max(0, t.deadline - now) : Long.MAX_VALUE;
        }

        @Override
        public long expireAfterUpdate(Object key, Object value, long now, long currentDuration) {
            return expireAfterCreate(key, value, now);
        }

        @Override
        public long expireAfterRead(Object key, Object value, long now, long currentDuration) {
            return currentDuration;
        }
    }
}
