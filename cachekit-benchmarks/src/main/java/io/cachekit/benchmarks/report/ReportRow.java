package io.cachekit.benchmarks.report;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How a JMH benchmark method appears in {@code docs/benchmarks.md}: its label, the baseline its throughput is
 * divided by, and the ratio it is expected to reach.
 *
 * <p>{@link BenchmarkReport} reads this annotation from the benchmark classes on its class path. A benchmark
 * without it is still listed, under its method name and without a ratio. The group of a benchmark (the
 * section of the page it lands in) is the package under {@code io.cachekit.benchmarks}: {@code memory},
 * {@code redis}, {@code postgres}.
 *
 * <pre>{@code
 * @Benchmark
 * @ReportRow(label = "Cachekit get", baseline = "lettuceSyncGet", atLeast = 0.9,
 *         target = "Cachekit get on Redis >= 0.9 x raw Lettuce sync GET")
 * public String cachekitGet(Keys keys) { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ReportRow {

    /** The row's label in the table; Markdown is allowed. */
    String label();

    /**
     * The name of the benchmark method of the same class (with the same JMH parameters) that this row is
     * divided by; empty for a row without a ratio.
     */
    String baseline() default "";

    /** Further benchmark methods of the same class whose ratios are shown beside the baseline's, without target. */
    String[] alsoComparedTo() default {};

    /** The ratio to the baseline this row must reach; NaN (the default) when there is no target. */
    double atLeast() default Double.NaN;

    /**
     * Whether the target is strict: the ratio must be above {@link #atLeast()}, as in "faster than", rather
     * than at least it.
     */
    boolean strictly() default false;

    /** The target in words, as the page states it; required when {@link #atLeast()} is set. */
    String target() default "";
}
