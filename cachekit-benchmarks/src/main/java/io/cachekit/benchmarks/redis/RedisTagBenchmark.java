package io.cachekit.benchmarks.redis;

import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.benchmarks.Payloads;
import io.cachekit.benchmarks.ReadWriteKeys;
import io.cachekit.benchmarks.TagRows;
import io.cachekit.benchmarks.UserRecord;
import io.cachekit.benchmarks.report.Goal;
import io.cachekit.benchmarks.report.ReportRow;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * What tags cost on Redis: an untagged hit in a namespace whose other entries carry tags (it must cost what it
 * costs in a namespace that never saw a tag), a hit of an entry with two tags (one more round trip: its tag
 * versions are read with one MGET and compared), and an invalidation of one tag (one write of the tag's new
 * version), beside a plain set. The server is the one of {@link RedisBenchmark}; values are the ~1 KB JSON
 * record, the entries of {@link TagRows}; setups check that every measured read is a hit, and teardowns fail
 * the run if one was not.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 2, time = 1)
public class RedisTagBenchmark {
    static final UserRecord VALUE = Payloads.RECORD;

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` hit of an untagged entry (Redis), tagged entries beside it",
            threads = 1,
            compareTo = "untaggedHitNoTags",
            goals = @Goal(atLeast = 0.95, source = "issue 14"),
            order = 60,
            note = "An untagged hit costs nothing for tags: the same hit in a namespace that never saw a tag is the"
                    + " baseline.")
    public UserRecord untaggedHitTagsInUse(TaggedState state, Keys keys) {
        return state.cache.get(keys.rows.nextUntagged(), UserRecord.class);
    }

    @Benchmark
    @ReportRow(label = "Cachekit `Cache.get` hit (Redis), a namespace that never saw a tag")
    public UserRecord untaggedHitNoTags(UntaggedState state, Keys keys) {
        return state.cache.get(keys.rows.nextUntagged(), UserRecord.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` hit of an entry with two tags (Redis)",
            compareTo = "untaggedHitNoTags",
            threads = 1,
            order = 61,
            note = "What a tagged hit costs: the entry's two tag versions read in one bulk read and compared. No"
                    + " target; the ratio is the price.")
    public UserRecord taggedHit(TaggedState state, Keys keys) {
        return state.cache.get(keys.rows.nextTagged(), UserRecord.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `invalidateTags` of one tag (Redis)",
            compareTo = "untaggedSet",
            threads = 1,
            order = 62,
            note = "An invalidation writes the tag's new version, one entry, whatever the number of entries that"
                    + " carry the tag. No target; a plain set is the yardstick.")
    public void invalidateTag(TaggedState state, Keys keys) {
        state.cache.invalidateTags(keys.rows.nextInvalidated());
    }

    @Benchmark
    @ReportRow(label = "Cachekit `Cache.set` of an untagged entry (Redis)")
    public void untaggedSet(TaggedState state, Keys keys) {
        state.cache.set(keys.rows.nextWrite(), VALUE, TagRows.TTL);
    }

    /** The keys one benchmark thread reads and writes, in its own order. */
    @State(Scope.Thread)
    public static class Keys {
        TagRows rows;

        @Setup(Level.Trial)
        public void setUp(ThreadParams thread) {
            rows = new TagRows(thread.getThreadIndex());
        }
    }

    static String uri(String namespace) {
        return "redis://" + RedisBenchmark.HOST + ":" + RedisBenchmark.PORT + "?namespace=" + namespace + "&timeout="
                + RedisBenchmark.TIMEOUT_SECONDS + "s";
    }

    /** A Redis cache holding untagged and tagged entries. */
    @State(Scope.Benchmark)
    public static class TaggedState {
        Cache cache;
        private long missesAfterSetup;

        @Setup(Level.Trial)
        public void setUp() {
            cache = Cachekit.fromUri(uri("bench-tagged"));
            cache.clear();
            missesAfterSetup = TagRows.populate(cache, VALUE, true);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                ReadWriteKeys.expectNoMissOrError(cache, missesAfterSetup);
            } finally {
                cache.close();
            }
        }
    }

    /** A Redis cache in a namespace that never saw a tag, holding as many entries ({@link TagRows#populate}). */
    @State(Scope.Benchmark)
    public static class UntaggedState {
        Cache cache;
        private long missesAfterSetup;

        @Setup(Level.Trial)
        public void setUp() {
            cache = Cachekit.fromUri(uri("bench-untagged"));
            cache.clear();
            missesAfterSetup = TagRows.populate(cache, VALUE, false);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                ReadWriteKeys.expectNoMissOrError(cache, missesAfterSetup);
            } finally {
                cache.close();
            }
        }
    }
}
