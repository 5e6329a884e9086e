package io.cachekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.FailureHandlingTest.UnreliableBackend;
import io.cachekit.internal.Envelope;
import io.cachekit.memory.MemoryBackend;
import io.cachekit.spi.BackendContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What tags cost and how they are stored, counted on a store of bytes that records its calls; the behaviour on
 * every backend is in the backend contract's tag section (cachekit-tck).
 */
class TagInvalidationTest {
    private static final Duration TTL = Duration.ofMinutes(5);

    /** A clock that tests move by hand. */
    static final class TestClock extends Clock {
        final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }

    /** A byte store that counts reads and bulk calls, and whose tag namespace can be made to fail. */
    static final class CountingStore extends UnreliableBackend {
        final AtomicInteger gets = new AtomicInteger();
        final AtomicInteger bulkReads = new AtomicInteger();
        final AtomicInteger bulkWrites = new AtomicInteger();
        final AtomicBoolean tagsDown = new AtomicBoolean();

        CountingStore(BackendContext context) {
            super(context);
        }

        private void checkTags(String namespace) {
            if (tagsDown.get() && namespace.endsWith(CachekitConfig.TAGS_NAMESPACE)) {
                throw new CacheBackendException("tag store refused");
            }
        }

        @Override
        public byte[] get(String namespace, String key) {
            checkTags(namespace);
            gets.incrementAndGet();
            return super.get(namespace, key);
        }

        @Override
        public Map<String, byte[]> getMany(String namespace, Collection<String> keys) {
            checkTags(namespace);
            bulkReads.incrementAndGet();
            Map<String, byte[]> found = new HashMap<>();
            keys.forEach(k -> {
                byte[] v = data.get(namespace + "/" + k);
                if (v != null) {
                    found.put(k, v);
                }
            });
            return found;
        }

        @Override
        public void set(String namespace, String key, byte[] value, Duration ttl) {
            checkTags(namespace);
            super.set(namespace, key, value, ttl);
        }

        @Override
        public void setMany(String namespace, Map<String, byte[]> entries, Duration ttl) {
            checkTags(namespace);
            bulkWrites.incrementAndGet();
            entries.forEach((k, v) -> data.put(namespace + "/" + k, v));
        }

        void resetCounts() {
            gets.set(0);
            bulkReads.set(0);
            bulkWrites.set(0);
        }
    }

    private final TestClock clock = new TestClock();

    private CachekitConfig.Builder settings() {
        return CachekitConfig.builder().namespace("items").clock(clock).circuitBreaker(false);
    }

    private CountingStore store(CachekitConfig config) {
        return new CountingStore(Cachekit.contextOf(config));
    }

    @Test
    void theTagNamespaceIsReservedAndTheLocalWindowIsAnOption() {
        assertThatThrownBy(() -> CachekitConfig.builder().namespace("_tags"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reserved");
        try (Cache cache = Cachekit.fromUri("memory://?namespace=a&tagVersionCache=500ms")) {
            assertThat(cache.config().tagVersionCache()).isEqualTo(Duration.ofMillis(500));
            assertThatThrownBy(() -> cache.withNamespace("_tags")).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(CachekitConfig.builder().build().tagVersionCache()).isNull();
        assertThatThrownBy(() -> CachekitConfig.fromProperties(Map.of("tagVersionCache", "0s")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tagVersionCache");
    }

    @Test
    void untaggedEntriesKeepTheirFormatAndTaggedOnesCarryTheirTagsVersions() {
        CachekitConfig config = settings().keyPrefix("app").build();
        CountingStore store = store(config);
        Cache cache = Cachekit.create(config, store);
        cache.set("plain", "v", TTL);
        cache.set("tagged", "v", TTL, Tags.of("user:42", "org:7"));
        assertThat(store.data.get("app/items/plain")[1]).isEqualTo(Envelope.VERSION);
        byte[] tagged = store.data.get("app/items/tagged");
        assertThat(tagged[1]).isEqualTo(Envelope.TAGGED_VERSION);
        assertThat(containsUtf16("user:42", tagged)).isTrue();
        assertThat(containsUtf16("org:7", tagged)).isTrue();
        assertThat(store.data).containsKeys("app/_tags/user:42", "app/_tags/org:7");
        assertThat(Envelope.headerLength(store.data.get("app/_tags/org:7")) + 8)
                .as("a version is 8 bytes")
                .isEqualTo(store.data.get("app/_tags/org:7").length);
        assertThat(Envelope.expiresAt(store.data.get("app/_tags/org:7")))
                .as("never expires")
                .isZero();
    }

    private static boolean containsUtf16(String text, byte[] bytes) {
        byte[] needle = text.getBytes(StandardCharsets.UTF_16BE);
        outer:
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void aTaggedReadCostsOneBulkReadAndAnUntaggedOneNothingMore() {
        CachekitConfig config = settings().build();
        CountingStore store = store(config);
        Cache cache = Cachekit.create(config, store);
        cache.set("plain", "p", TTL);
        cache.set("a", "1", TTL, Tags.of("x", "y"));
        cache.set("b", "2", TTL, Tags.of("y", "z"));
        int entries = store.data.size();
        store.resetCounts();

        assertThat(cache.get("plain", String.class)).isEqualTo("p");
        assertThat(store.gets).hasValue(1);
        assertThat(store.bulkReads).hasValue(0);

        assertThat(cache.get("a", String.class)).isEqualTo("1");
        assertThat(store.gets).hasValue(2);
        assertThat(store.bulkReads).as("both tags in one bulk read").hasValue(1);

        assertThat(cache.getMany(List.of("a", "b", "plain"), String.class)).containsOnlyKeys("a", "b", "plain");
        assertThat(store.bulkReads).as("the entries, then every tag they carry").hasValue(3);

        store.resetCounts();
        cache.invalidateTags("x", "y", "z");
        assertThat(store.bulkWrites).as("one bulk write of three versions").hasValue(1);
        assertThat(store.gets).hasValue(0);
        assertThat(store.bulkReads).hasValue(0);
        assertThat(store.data)
                .as("entries are left in place, versions replaced")
                .hasSize(entries);
        assertThat(cache.getMany(List.of("a", "b", "plain"), String.class)).containsOnlyKeys("plain");
    }

    @Test
    void aProcessKeepingVersionsLocallySeesAnotherProcesssInvalidationAfterItsWindow() {
        CachekitConfig keeping =
                settings().tagVersionCache(Duration.ofSeconds(1)).build();
        CountingStore store = store(keeping);
        Cache a = Cachekit.create(keeping, store);
        Cache b = Cachekit.create(keeping.toBuilder().tagVersionCache(null).build(), store);
        a.set("k", "v", TTL, Tags.of("t"));
        store.resetCounts();
        assertThat(a.get("k", String.class)).isEqualTo("v");
        assertThat(store.bulkReads).as("the version read by the write is kept").hasValue(0);

        b.invalidateTags("t");
        assertThat(b.get("k", String.class)).isNull();
        assertThat(a.get("k", String.class))
                .as("within the window this process may still serve it: the documented staleness")
                .isEqualTo("v");
        clock.millis.addAndGet(1_001);
        assertThat(a.get("k", String.class)).isNull();

        a.set("k", "v2", TTL, Tags.of("t"));
        assertThat(a.get("k", String.class)).isEqualTo("v2");
        a.invalidateTags("t");
        assertThat(a.get("k", String.class)).as("its own invalidation at once").isNull();
    }

    @Test
    void aFailingTagStoreFollowsTheErrorPolicy() {
        CachekitConfig strict = settings().build();
        CountingStore store = store(strict);
        Cache cache = Cachekit.create(strict, store);
        Cache lenient =
                Cachekit.create(settings().errorPolicy(ErrorPolicy.FAIL_OPEN).build(), store);
        cache.set("k", "v", TTL, Tags.of("t"));
        store.tagsDown.set(true);

        assertThatThrownBy(() -> cache.get("k", String.class)).isInstanceOf(CacheBackendException.class);
        assertThatThrownBy(() -> cache.set("k2", "v", TTL, Tags.of("t"))).isInstanceOf(CacheBackendException.class);
        assertThatThrownBy(() -> cache.invalidateTags("t")).isInstanceOf(CacheBackendException.class);

        assertThat(lenient.get("k", String.class)).as("unknown tags: a miss").isNull();
        lenient.set("k2", "v", TTL, Tags.of("t"));
        assertThat(store.data).as("no entry without versions").doesNotContainKey("items/k2");
        AtomicInteger loads = new AtomicInteger();
        assertThat(lenient.getOrLoad("k", String.class, TTL, Tags.of("t"), () -> "loaded " + loads.incrementAndGet()))
                .isEqualTo("loaded 1");

        store.tagsDown.set(false);
        assertThat(cache.get("k", String.class))
                .as("the old entry is still valid")
                .isEqualTo("v");
    }

    interface BadTemplates {
        @Cached(tags = "{0}{1}")
        String touching(String a, String b);
    }

    interface EmptyTag {
        @Cached(tags = "")
        String empty(String a);
    }

    interface UnknownParameter {
        @CacheEvict(tags = "user:{nope}")
        void evict(long id);
    }

    interface Users {
        @Cached(ttl = "5m", tags = "user:{0}")
        String find(long id);

        @Cached(ttl = "5m", tags = "name:{0}")
        String byName(String name);

        @CacheEvict(key = "{0}", tags = "user:{0}")
        void removed(long id);
    }

    @Test
    void tagTemplatesFollowTheRulesOfKeyTemplates() {
        try (Cache cache = Cachekit.create(settings().build())) {
            assertThatThrownBy(() -> cache.proxy(BadTemplates.class, (a, b) -> a))
                    .isInstanceOf(CacheKeyException.class)
                    .hasMessageContaining("Tag template '{0}{1}'");
            assertThatThrownBy(() -> cache.proxy(EmptyTag.class, a -> a))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("empty tag");
            assertThatThrownBy(() -> cache.proxy(UnknownParameter.class, id -> {}))
                    .isInstanceOf(CacheKeyException.class)
                    .hasMessageContaining("nope");

            AtomicInteger calls = new AtomicInteger();
            Users users = cache.proxy(Users.class, new Users() {
                @Override
                public String find(long id) {
                    return "user " + id + " #" + calls.incrementAndGet();
                }

                @Override
                public String byName(String name) {
                    return name + " #" + calls.incrementAndGet();
                }

                @Override
                public void removed(long id) {}
            });
            users.find(42);
            users.find(42);
            cache.invalidateTags("user:42"); // the direct API names the tag the template rendered
            assertThat(users.find(42)).isEqualTo("user 42 #2");
            users.removed(42);
            assertThat(users.find(42)).isEqualTo("user 42 #3");
            assertThatThrownBy(() -> users.byName("x".repeat(Tags.MAX_LENGTH)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("byName")
                    .hasMessageContaining("at most " + Tags.MAX_LENGTH);
            assertThat(calls).as("a call with a bad tag does not run").hasValue(3);
        }
    }

    @Test
    void untaggedEntriesInMemoryAreHeldAsTheyAreAndTaggedOnesWithTheirVersions() {
        try (Cache cache = Cachekit.create(settings().build())) {
            MemoryBackend memory = cache.unwrap(MemoryBackend.class);
            List<String> value = List.of("a");
            cache.set("plain", value, TTL);
            cache.set("tagged", value, TTL, Tags.of("t"));
            assertThat(memory.getReference("items", "plain")).isSameAs(value);
            assertThat(memory.getReference("items", "tagged")).isNotSameAs(value);
            assertThat(cache.get("tagged", Object.class)).isSameAs(value);
            cache.invalidateTags("t");
            assertThat(cache.get("tagged", Object.class)).isNull();
            assertThat(cache.get("plain", Object.class)).isSameAs(value);
        }
    }

    @Test
    void entriesOfEarlierFormatsStayReadableAndABrokenTagsSectionIsCorrupt() {
        CachekitConfig config = settings().build();
        CountingStore store = store(config);
        Cache cache = Cachekit.create(config, store);
        store.data.put("items/one", Envelope.wrap(Envelope.CODEC_STRING, 0, 0, "v1".getBytes(StandardCharsets.UTF_8)));
        store.data.put(
                "items/two",
                Envelope.wrapStale(
                        Envelope.CODEC_STRING, 0, 0, clock.millis() + 60_000, "v2".getBytes(StandardCharsets.UTF_8)));
        assertThat(cache.get("one", String.class)).isEqualTo("v1");
        assertThat(cache.get("two", String.class)).isEqualTo("v2");

        cache.set("tagged", "v3", TTL, Tags.of("t"));
        byte[] broken = store.data.get("items/tagged").clone();
        broken[22] = 0; // no tags: never written
        store.data.put("items/tagged", broken);
        assertThat(cache.get("tagged", String.class)).isNull();
        assertThat(cache.stats().corruptEntries()).isEqualTo(1);
        assertThat(store.data).doesNotContainKey("items/tagged");
    }
}
