package io.cachekit.benchmarks.memory;

import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.benchmarks.ReadWriteKeys;
import io.cachekit.benchmarks.TagRows;
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
 * What tags cost on the in-memory backend: an untagged hit in a cache whose other entries carry tags (it must
 * cost what it costs in a cache that never saw a tag), a hit of an entry with two tags (its tag versions are
 * read and compared), and an invalidation of one tag (one write of the tag's new version), beside a plain set.
 * Values are short strings, the entries of {@link TagRows}; setups check that every measured read is a hit, and
 * teardowns fail the run if one was not.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 2, time = 1)
public class TagBenchmark {
    static final String VALUE = "hello, tags";

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` hit of an untagged entry (memory backend), tagged entries beside it",
            compareTo = "untaggedHitNoTags",
            goals = @Goal(atLeast = 0.95, source = "issue 14"),
            order = 60,
            note = "An untagged hit costs nothing for tags: the same hit in a cache that never saw a tag is the"
                    + " baseline. Every fork of both sides fills both caches, so that the JIT saw the same code"
                    + " run on each side.")
    public String untaggedHitTagsInUse(Caches state, Keys keys) {
        return state.tagged.get(keys.rows.nextUntagged(), String.class);
    }

    @Benchmark
    @ReportRow(label = "Cachekit `Cache.get` hit (memory backend), a cache that never saw a tag")
    public String untaggedHitNoTags(Caches state, Keys keys) {
        return state.untagged.get(keys.rows.nextUntagged(), String.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` hit of an entry with two tags (memory backend)",
            compareTo = "untaggedHitNoTags",
            order = 61,
            note = "What a tagged hit costs: the entry's two tag versions read in one bulk read and compared. No"
                    + " target; the ratio is the price.")
    public String taggedHit(Caches state, Keys keys) {
        return state.tagged.get(keys.rows.nextTagged(), String.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `invalidateTags` of one tag (memory backend)",
            compareTo = "untaggedSet",
            order = 62,
            note = "An invalidation writes the tag's new version, one entry, whatever the number of entries that"
                    + " carry the tag. No target; a plain set is the yardstick.")
    public void invalidateTag(Caches state, Keys keys) {
        state.tagged.invalidateTags(keys.rows.nextInvalidated());
    }

    @Benchmark
    @ReportRow(label = "Cachekit `Cache.set` of an untagged entry (memory backend)")
    public void untaggedSet(Caches state, Keys keys) {
        state.tagged.set(keys.rows.nextWrite(), VALUE, TagRows.TTL);
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

    /**
     * Both caches, filled in the same order in every fork whichever of them the row reads, so that both sides of
     * a comparison ran the same code before they were measured: the JIT compiles shared code (the JDK's hash
     * map lookup among it) from what ran first, and a side that alone had run the tag code met profiles the other
     * had not, which cost about 10% of a hit either way. Only the cache read then differs.
     */
    @State(Scope.Benchmark)
    public static class Caches {
        /** Untagged and tagged entries. */
        Cache tagged;
        /** As many entries, none tagged: a cache that never saw a tag. */
        Cache untagged;

        private long taggedMissesAfterSetup;
        private long untaggedMissesAfterSetup;

        @Setup(Level.Trial)
        public void setUp() {
            tagged = Cachekit.fromUri("memory://?maxSize=10000");
            untagged = Cachekit.fromUri("memory://?maxSize=10000");
            taggedMissesAfterSetup = TagRows.populate(tagged, VALUE, true);
            untaggedMissesAfterSetup = TagRows.populate(untagged, VALUE, false);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try (Cache t = tagged;
                    Cache u = untagged) {
                ReadWriteKeys.expectNoMissOrError(t, taggedMissesAfterSetup);
                ReadWriteKeys.expectNoMissOrError(u, untaggedMissesAfterSetup);
            }
        }
    }
}
