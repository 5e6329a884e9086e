package io.cachekit.benchmarks.report;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How a JMH benchmark method is run and shown in {@code docs/benchmarks.md}: its label, the rows it is compared
 * with, and the ratio it must reach.
 *
 * <p>A row that names others in {@link #compareTo()} forms a comparison with them: the runner ({@link
 * io.cachekit.benchmarks.run.RoundRunner}) runs the row and each of those rows in forks of their own, one
 * after the other, in rounds whose order is reversed every other round (A B, B A, A B, ...), and the page shows
 * the ratio of each round, their median and range, and for each {@link Goal} whether the whole range meets
 * it. A row that is neither a comparison nor compared with is run alone, in rounds as well. The group of a
 * benchmark (the section of the page it lands in) is the package under {@code io.cachekit.benchmarks}.
 *
 * <pre>{@code
 * @Benchmark
 * @ReportRow(label = "Cachekit `Cache.get`", compareTo = {"lettuceSyncGet", "lettuceAsyncWaitGet"},
 *         goals = @Goal(atLeast = 0.95, source = "issue 17"))
 * public UserRecord cachekitGet(...) { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ReportRow {

    /** The row's label on the page; Markdown is allowed. */
    String label();

    /**
     * Benchmark methods of the same class this row is compared with: each round's throughput of this row is
     * divided by each of theirs from the same round.
     */
    String[] compareTo() default {};

    /** The ratios this row must reach against its {@link #compareTo()} rows. */
    Goal[] goals() default {};

    /**
     * The thread counts this comparison runs with; empty (the default) for the runner's thread list (1 and 2
     * unless told otherwise).
     */
    int[] threads() default {};

    /** Where the comparison appears in its group: lower first, then by method name. */
    int order() default 100;

    /** A sentence under the comparison on the page; Markdown is allowed. */
    String note() default "";

    /**
     * Whether this row runs the same code as the one row of its {@link #compareTo()}: an A/A comparison, whose
     * per-round ratios would all be 1 on a quiet machine, so that their range shows how far this machine alone
     * moves a ratio of the group. A control row has exactly one row to compare with and no goals; the page lists
     * controls beside the targets.
     */
    boolean control() default false;
}
