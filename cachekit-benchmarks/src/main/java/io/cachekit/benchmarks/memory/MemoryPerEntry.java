package io.cachekit.benchmarks.memory;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.benchmarks.report.MemoryRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * Heap bytes per cached entry: fills one cache configuration with {@value #ENTRIES} entries in a JVM of its own
 * and measures the heap the cache retains after a full GC, beyond the keys and values themselves (which exist
 * before the cache is made and are held all along). For configurations with a TTL it then lets every entry
 * expire, writes {@value #LATER_WRITES} other keys, lets the cache run its maintenance ({@code cleanUp()}), and
 * measures again: how much an expired entry that is never read again still holds, and how many entries the cache
 * still counts. (Both caches also keep structures sized for their peak: the hash table and Caffeine's frequency
 * sketch, some 20 bytes per entry of the peak, which no expiry frees.)
 *
 * <p>The child JVM runs with {@code -XX:+UseSerialGC -Xms1g -Xmx1g}, so that {@code System.gc()} is a full,
 * compacting collection and the used heap afterwards is what is live. Every configuration has the same size
 * bound, {@value #MAX_SIZE} entries (Caffeine sizes its frequency sketch by it), and holds string keys
 * ({@code user:N}) with distinct string values.
 *
 * <pre>java -XX:+UseSerialGC -Xms1g -Xmx1g -cp benchmarks.jar io.cachekit.benchmarks.memory.MemoryPerEntry CONFIG</pre>
 */
public final class MemoryPerEntry {
    /** Entries each cache is filled with. */
    public static final int ENTRIES = 200_000;

    static final int MAX_SIZE = 250_000;

    /** Other keys written once every entry has expired. */
    public static final int LATER_WRITES = 1_000;

    static final Duration SHORT_TTL = Duration.ofSeconds(5);

    private MemoryPerEntry() {}

    /** The cache configurations measured, with how each fills an entry. */
    public enum Config {
        /** Cachekit's memory backend, entries with a TTL. */
        CACHEKIT_TTL("Cachekit memory backend, entries with a TTL", true),
        /** Caffeine as users build a TTL cache: a size bound and {@code expireAfterWrite}. */
        CAFFEINE_EXPIRE_AFTER_WRITE("Caffeine `maximumSize` + `expireAfterWrite`", true),
        /** Caffeine with a TTL per entry ({@code expireAfter} and {@code policy().expireVariably().put}). */
        CAFFEINE_VARIABLE_EXPIRY(
                "Caffeine `maximumSize` + `expireAfter` (a TTL per entry, `expireVariably().put`)", true),
        /** Cachekit's memory backend, entries without expiry. */
        CACHEKIT_NO_EXPIRY("Cachekit memory backend, entries without expiry (`Cache.NO_EXPIRY`)", false),
        /** Caffeine with a size bound only. */
        CAFFEINE_SIZE_ONLY("Caffeine `maximumSize` only", false);

        private final String label;
        private final boolean expires;

        Config(String label, boolean expires) {
            this.label = label;
            this.expires = expires;
        }

        /** The configuration's label on the page. */
        public String label() {
            return label;
        }

        /** About how long one measurement takes, JVM start included: for the runner's time estimate. */
        public double estimatedSeconds() {
            return expires ? 9 : 4;
        }

        /**
         * The comparisons: Cachekit's configuration first, then the Caffeine configuration that does the same job
         * (the target is about that one), then any other shown beside it.
         */
        public static List<List<Config>> comparisons() {
            return List.of(
                    List.of(CACHEKIT_TTL, CAFFEINE_EXPIRE_AFTER_WRITE, CAFFEINE_VARIABLE_EXPIRY),
                    List.of(CACHEKIT_NO_EXPIRY, CAFFEINE_SIZE_ONLY));
        }
    }

    /** The most bytes per entry Cachekit may add over the matching Caffeine configuration (issue 17). */
    public static final double MAX_EXTRA_BYTES = 32;

    /** The share of expired entries that may still be held after their TTL, later writes and maintenance. */
    public static final double MAX_EXPIRED_HELD = 0.01;

    /** The share of the expired entries of a measurement that its cache still held; NaN without expiry. */
    public static double expiredHeldShare(MemoryRecord record) {
        if (record.heldAfterExpiry() < 0) {
            return Double.NaN;
        }
        return Math.max(0, record.heldAfterExpiry() - LATER_WRITES) / (double) record.entries();
    }

    /** Runs one measurement in a child JVM and returns its result. */
    public static MemoryRecord measureInChildJvm(Config config, int round, int position)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(
                java,
                "-XX:+UseSerialGC",
                "-Xms1g",
                "-Xmx1g",
                "-cp",
                System.getProperty("java.class.path"),
                MemoryPerEntry.class.getName(),
                config.name()));
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String result = null;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("RESULT ")) {
                    result = line;
                }
            }
        }
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("The heap measurement of " + config + " did not end");
        }
        if (process.exitValue() != 0 || result == null) {
            throw new IllegalStateException(
                    "The heap measurement of " + config + " failed with exit code " + process.exitValue());
        }
        String[] parts = result.split(" ");
        return new MemoryRecord(
                config.name(),
                round,
                position,
                Integer.parseInt(parts[1]),
                Double.parseDouble(parts[2]),
                Double.parseDouble(parts[3]),
                Long.parseLong(parts[4]));
    }

    // Held in fields, not in locals: every step runs on a thread of its own that ends before the heap is measured,
    // so that no compiled frame keeps garbage reachable (measured from main's own frame, the removed entries of a
    // cache were seen to stay reachable, which made them look retained).
    private static String[] keys;
    private static String[] values;
    private static Subject subject;

    /**
     * Measures the configuration named by {@code args[0]}; prints {@code RESULT entries bytes expiredBytes held}, held
     * being the entries the cache still holds after expiry (-1 without expiry).
     */
    public static void main(String[] args) throws Exception {
        Config config = Config.valueOf(args[0]);
        inThread(() -> {
            keys = new String[ENTRIES + LATER_WRITES];
            values = new String[ENTRIES + LATER_WRITES];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = "user:" + i;
                values[i] = "value of user " + i;
            }
            subject = Subject.create(config);
        });
        long before = usedAfterGc();
        long start = System.nanoTime();
        inThread(() -> {
            subject.build();
            fill(0, ENTRIES);
            if (subject.size() != ENTRIES) {
                throw new IllegalStateException(config + " holds " + subject.size() + " entries, expected " + ENTRIES);
            }
        });
        long filled = System.nanoTime();
        long full = usedAfterGc();
        if (config.expires && System.nanoTime() - start >= SHORT_TTL.toNanos()) {
            throw new IllegalStateException("Filling took longer than the TTL; the measurement would be wrong");
        }
        double perEntry = (full - before) / (double) ENTRIES;
        double expired = Double.NaN;
        long[] heldAfterExpiry = {-1};
        if (config.expires) {
            // Every entry was written before `filled`: half a second after its TTL from then, all have expired.
            long wait = filled + SHORT_TTL.toNanos() + TimeUnit.MILLISECONDS.toNanos(500) - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            inThread(() -> {
                fill(ENTRIES, ENTRIES + LATER_WRITES);
                heldAfterExpiry[0] = subject.size();
            });
            long after = usedAfterGc();
            // The later entries are live: take off what they hold, at the per-entry cost just measured.
            expired = (after - before - LATER_WRITES * perEntry) / ENTRIES;
        }
        System.err.printf(
                Locale.ROOT,
                "MemoryPerEntry %s: %d entries, %.1f bytes/entry; after expiry %.1f bytes/entry, %d entries held%n",
                config,
                ENTRIES,
                perEntry,
                expired,
                heldAfterExpiry[0]);
        System.out.printf(Locale.ROOT, "RESULT %d %.3f %.3f %d%n", ENTRIES, perEntry, expired, heldAfterExpiry[0]);
    }

    /** Runs {@code step} on a new thread and waits for it to end; rethrows what it threw. */
    private static void inThread(Runnable step) throws Exception {
        Throwable[] failure = new Throwable[1];
        Thread thread = new Thread(() -> {
            try {
                step.run();
            } catch (Throwable t) {
                failure[0] = t;
            }
        });
        thread.start();
        thread.join();
        if (failure[0] instanceof Exception e) {
            throw e;
        }
        if (failure[0] instanceof Error e) {
            throw e;
        }
    }

    /** Writes entries {@code from} to {@code to}, then lets the cache run its maintenance. */
    private static void fill(int from, int to) {
        for (int i = from; i < to; i++) {
            subject.put(keys[i], values[i]);
        }
        subject.cleanUp();
        // Caffeine runs some maintenance on the common pool by default: let it finish before measuring.
        ForkJoinPool.commonPool().awaitQuiescence(10, TimeUnit.SECONDS);
    }

    /**
     * The heap in use after full collections: at least five, until two in a row agree within 1 KiB (the first
     * collections after a cache's maintenance were seen to keep some of what it had just removed).
     */
    static long usedAfterGc() throws InterruptedException {
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            System.gc();
            Thread.sleep(20);
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (i >= 4 && Math.abs(used - last) < 1024) {
                return used;
            }
            last = used;
        }
        return last;
    }

    /** A cache of one configuration. */
    private abstract static class Subject {
        abstract void build();

        abstract void put(String key, String value);

        abstract void cleanUp();

        abstract long size();

        static Subject create(Config config) {
            return switch (config) {
                case CACHEKIT_TTL -> new CachekitSubject(SHORT_TTL);
                case CACHEKIT_NO_EXPIRY -> new CachekitSubject(Cache.NO_EXPIRY);
                case CAFFEINE_EXPIRE_AFTER_WRITE ->
                    new CaffeineSubject(() -> Caffeine.newBuilder()
                            .maximumSize(MAX_SIZE)
                            .expireAfterWrite(SHORT_TTL)
                            .build());
                case CAFFEINE_SIZE_ONLY ->
                    new CaffeineSubject(
                            () -> Caffeine.newBuilder().maximumSize(MAX_SIZE).build());
                case CAFFEINE_VARIABLE_EXPIRY -> new VariableExpirySubject();
            };
        }
    }

    private static final class CachekitSubject extends Subject {
        private final Duration ttl;
        private Cache cache;
        private com.github.benmanes.caffeine.cache.Cache<?, ?> inner;

        CachekitSubject(Duration ttl) {
            this.ttl = ttl;
        }

        @Override
        void build() {
            cache = Cachekit.fromUri("memory://?maxSize=" + MAX_SIZE);
            inner = cache.unwrap(com.github.benmanes.caffeine.cache.Cache.class);
        }

        @Override
        void put(String key, String value) {
            cache.set(key, value, ttl);
        }

        @Override
        void cleanUp() {
            inner.cleanUp();
        }

        @Override
        long size() {
            inner.cleanUp();
            return inner.estimatedSize();
        }
    }

    private static final class CaffeineSubject extends Subject {
        private final java.util.function.Supplier<com.github.benmanes.caffeine.cache.Cache<String, String>> builder;
        private com.github.benmanes.caffeine.cache.Cache<String, String> cache;

        CaffeineSubject(java.util.function.Supplier<com.github.benmanes.caffeine.cache.Cache<String, String>> builder) {
            this.builder = builder;
        }

        @Override
        void build() {
            cache = builder.get();
        }

        @Override
        void put(String key, String value) {
            cache.put(key, value);
        }

        @Override
        void cleanUp() {
            cache.cleanUp();
        }

        @Override
        long size() {
            cache.cleanUp();
            return cache.estimatedSize();
        }
    }

    private static final class VariableExpirySubject extends Subject {
        private com.github.benmanes.caffeine.cache.Cache<String, String> cache;
        private com.github.benmanes.caffeine.cache.Policy.VarExpiration<String, String> expiration;

        @Override
        void build() {
            cache = Caffeine.newBuilder()
                    .maximumSize(MAX_SIZE)
                    .expireAfter(KeepOnReadExpiry.INSTANCE)
                    .build();
            expiration = cache.policy().expireVariably().orElseThrow();
        }

        @Override
        void put(String key, String value) {
            expiration.put(key, value, SHORT_TTL);
        }

        @Override
        void cleanUp() {
            cache.cleanUp();
        }

        @Override
        long size() {
            cache.cleanUp();
            return cache.estimatedSize();
        }
    }

    /**
     * Variable expiry whose duration is set per entry on write ({@code expireVariably().put}) and kept on reads
     * and updates: the TTL-per-entry model of Cachekit, in Caffeine's own entries.
     */
    enum KeepOnReadExpiry implements Expiry<String, String> {
        INSTANCE;

        @Override
        public long expireAfterCreate(String key, String value, long currentTime) {
            return Long.MAX_VALUE; // replaced by the duration given to expireVariably().put
        }

        @Override
        public long expireAfterUpdate(String key, String value, long currentTime, long currentDuration) {
            return currentDuration;
        }

        @Override
        public long expireAfterRead(String key, String value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
