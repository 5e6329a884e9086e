package io.cachekit.benchmarks.report;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A target for a {@link ReportRow} against a compared row, checked on the ratio of each round: by default the
 * ratio of their throughputs, which must reach {@link #atLeast()}; with {@link Metric#P99}, the ratio of their
 * 99th percentile times (sample mode), which must stay within {@link #atMost()}. The verdict is "holds" when the
 * whole range of per-round ratios meets it, "misses" when the whole range falls short, and "inconclusive"
 * otherwise.
 *
 * <pre>{@code
 * goals = {@Goal(atLeast = 0.8, source = "issue 15"), @Goal(metric = Goal.Metric.P99, atMost = 1.2, source = "issue 15")}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Goal {

    /** What a goal compares. */
    enum Metric {
        /** Throughput: the row's operations per second over the compared row's (for times, the inverse). */
        SCORE,
        /** The row's 99th percentile time over the compared row's; rows in sample mode only. */
        P99
    }

    /** What the ratio is of; {@link Metric#SCORE} by default. */
    Metric metric() default Metric.SCORE;

    /** The least ratio that meets the target; set exactly one of this and {@link #atMost()}. */
    double atLeast() default Double.NaN;

    /** The greatest ratio that meets the target, such as for {@link Metric#P99}. */
    double atMost() default Double.NaN;

    /** Where the target was set, such as {@code issue 17}. */
    String source();

    /** The compared row the target is about; empty (the default) for every row of {@link ReportRow#compareTo()}. */
    String against() default "";
}
