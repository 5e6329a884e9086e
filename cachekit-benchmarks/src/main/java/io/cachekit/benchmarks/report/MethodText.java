package io.cachekit.benchmarks.report;

/** The page's "Method" section: how every group is run and judged, the same for all of them. */
final class MethodText {
    private MethodText() {}

    /** Appends the section, heading included, to {@code md}. */
    static void append(StringBuilder md) {
        md.append("## Method\n\n");
        md.append("- **Interleaved.** Each comparison (a Cachekit row and the rows it is compared with) runs in\n")
                .append(
                        "  rounds: in each round every row runs in a JMH fork of its own, one after the other, and the\n")
                .append("  order is reversed every other round (A B, B A, A B, ...), so that drift of the machine's\n")
                .append("  load falls on both sides alike. No row shares a JVM with another.\n");
        md.append("- **Ratios per round.** A ratio is the row's throughput divided by the compared row's from the\n")
                .append("  same round (for time-per-operation modes, the inverse of the times). The tables give the\n")
                .append("  ratio of every round, their median and their range [lowest, highest].\n");
        md.append("- **Verdicts.** A target *holds* only when the whole range of per-round ratios meets it,\n")
                .append("  *misses* when the whole range falls short, and is *inconclusive* otherwise.\n");
        md.append("- **Latency.** Remote rows run in JMH's SampleTime mode: the score is the mean time per\n")
                .append("  operation, p50 and p99 are percentiles of the sampled operations of a run, and the tables\n")
                .append(
                        "  show the median of each over the rounds. Rows that start 16 calls and wait for all of them\n")
                .append("  count 16 operations per sample, so their percentiles are a batch's time divided by 16.\n")
                .append("  A p99 target is checked on the ratio of the two rows' p99 in each round.\n");
        md.append("- **Fair baselines.** Remote rows cache a ~1 KB JSON record (a 100-character string is the\n")
                .append("  second value). The raw side encodes and decodes the record with Jackson configured as\n")
                .append(
                        "  Cachekit's codec on every call, and every fork checks that both sides send the same payload\n")
                .append(
                        "  bytes (Cachekit adds its 12-byte envelope header). Both sides have the same client settings,\n")
                .append(
                        "  timeouts and blocking mode, and a store of their own: Redis key prefixes, PostgreSQL tables\n")
                .append(
                        "  dropped and created again in every fork, MongoDB collections, DynamoDB tables and Firestore\n")
                .append("  collections of their own. Raw Lettuce uses `ByteArrayCodec`, in both its sync API and the\n")
                .append(
                        "  async-plus-wait form Cachekit uses. The Javadoc of each benchmark class gives the details.\n");
        md.append("- **Controls.** Each group has an A/A comparison: a baseline row against a copy of itself\n")
                .append(
                        "  that runs the same code, in forks and rounds like every other comparison. Its range is the\n")
                .append("  noise of the method on this machine, listed under the targets.\n");
        md.append("- **Toolkit cost.** A no-op backend (gets return stored bytes, sets keep a reference) shows what\n")
                .append("  Cachekit itself costs per call, beside Jackson alone on the same record.\n");
        md.append("- **HTTP.** A HIT of the response cache filter and a plain servlet writing the same bytes share\n")
                .append("  one embedded Tomcat and one HTTP/1.1 client over loopback in each fork (4 client threads,\n")
                .append("  1 KB and 50 KB bodies); every fork checks that each cached call was a HIT.\n");
        md.append("- **Threads.** Comparisons run at each count of the thread list (`--threads`, default 1 and 2\n")
                .append("  on this 2-core machine) unless a row fixes its own.\n");
        md.append("- **Warm-up.** Each run warms up before it measures, for long enough that the JIT has compiled\n")
                .append("  both sides' paths: 1 s for in-memory rows, 12 to 30 s for remote ones, whose calls take\n")
                .append("  100 times longer, 30 s for HTTP (one second left a MongoDB get at half the raw driver's\n")
                .append(
                        "  speed: its deeper path was not compiled yet; a DynamoDB get took 797 us in its first 4 s and\n")
                .append("  376 us after 24 s; Cachekit's DynamoDB get took 515 us in the 2 s after 20 s and 352 to\n")
                .append(
                        "  390 us from 24 s on; an HTTP HIT was still getting faster after 20 s; after 4 s, Cachekit's\n")
                .append(
                        "  Memcached async get took 94 then 63 us in its two measured iterations, the raw one 42 then 31;\n")
                .append("  after 12 s, Cachekit's MongoDB async get, 16 in flight on eight threads, measured 0.51 to\n")
                .append("  0.68 of the raw driver's, after 30 s 0.91 to 1.04).\n")
                .append("  A group whose servers run outside the forks first\n")
                .append("  makes one run that is not recorded, so that no recorded run meets a cold server. The\n")
                .append("  Firestore emulator is instead restarted before every run, which then warms it too: it\n")
                .append("  keeps every write it takes (its heap grew by 4 MB a second under sets), and after\n")
                .append("  25 minutes of the group a set took 27 ms.\n");
        md.append("- **Measurement.** Two iterations of 3 s for in-memory rows (this machine's speed swings in\n")
                .append(
                        "  spells of seconds: consecutive 1 s iterations of Caffeine's `getIfPresent` in one fork went\n")
                .append("  from 33 to 61 ops/us and back), of 2 s for remote ones (one-second\n")
                .append("  iterations of the same Redis get ranged from 112 to 159 us in one fork), of 5 s for HTTP:\n")
                .append("  its four client threads share the two cores with the server, and over 1 s three rounds of\n")
                .append("  the same plain endpoint measured 397, 451 and 556 us.\n");
        md.append("- **One revision.** Every group on this page measured the same code; a group recorded at other\n")
                .append(
                        "  code is not shown until it is rerun. `scripts/bench.sh` refuses to start when the 1-minute\n")
                .append(
                        "  load average is above a threshold (`--max-load`, default 1.0) unless given `--ignore-load`.\n\n");
    }
}
