package io.cachekit.benchmarks.report;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A target for a {@link ReportRow}: the ratio of its throughput to a compared row's that every round must
 * reach. The verdict is "holds" when the whole range of per-round ratios meets it, "misses" when the whole
 * range falls short, and "inconclusive" otherwise.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Goal {

    /** The least ratio that meets the target. */
    double atLeast();

    /** Where the target was set, such as {@code issue 17}. */
    String source();

    /** The compared row the target is about; empty (the default) for every row of {@link ReportRow#compareTo()}. */
    String against() default "";
}
