package io.cachekit.dynamodb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-process memory of generations that writes are tagged with and that reads may reuse. */
class GenerationsTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void aGenerationJustReadIsKnownAndAnUnknownOneIsNot() {
        Generations generations = new Generations(Duration.ofSeconds(1));
        assertThat(generations.fresh("app!0")).isEqualTo(-1);
        assertThat(generations.freshForReads("app!0")).isEqualTo(-1);
        generations.learn("app!0", 4, System.nanoTime());
        assertThat(generations.fresh("app!0")).isEqualTo(4);
        assertThat(generations.freshForReads("app!0")).isEqualTo(4);
        assertThat(generations.fresh("app!1")).isEqualTo(-1);
    }

    @Test
    void freshnessRunsFromWhenTheRequestWasSentAndReadsHaveTheirOwnReuseTime() {
        Generations generations = new Generations(Duration.ofSeconds(10));
        // Asked for three seconds ago: too old for writes (one second), within the reads' ten.
        generations.learn("app!0", 7, System.nanoTime() - 3 * SECOND);
        assertThat(generations.fresh("app!0")).isEqualTo(-1);
        assertThat(generations.freshForReads("app!0")).isEqualTo(7);
        // Asked for eleven seconds ago: too old for both, however recently the answer came in.
        generations.learn("app!1", 7, System.nanoTime() - 11 * SECOND);
        assertThat(generations.freshForReads("app!1")).isEqualTo(-1);
    }

    @Test
    void aZeroReuseTimeNeverLetsAReadReuseAGeneration() {
        Generations generations = new Generations(Duration.ZERO);
        generations.learn("app!0", 3, System.nanoTime());
        assertThat(generations.freshForReads("app!0")).isEqualTo(-1);
        assertThat(generations.fresh("app!0")).as("writes still reuse it").isEqualTo(3);
    }

    @Test
    void theSameGenerationKeepsItsLatestAskingTime() {
        Generations generations = new Generations(Duration.ofSeconds(5));
        long now = System.nanoTime();
        generations.learn("app!0", 2, now);
        generations.learn("app!0", 2, now - 6 * SECOND); // a slow answer to an older request
        assertThat(generations.freshForReads("app!0")).isEqualTo(2);
        generations.learn("app!1", 2, now - 6 * SECOND);
        generations.learn("app!1", 2, now);
        assertThat(generations.freshForReads("app!1")).isEqualTo(2);
    }

    @Test
    void aLowerGenerationReadJustAfterAHigherOneDoesNotReplaceIt() {
        Generations generations = new Generations(Duration.ofSeconds(1));
        generations.learn("app!0", 5, System.nanoTime()); // a clear's update returned 5
        generations.learn("app!0", 4, System.nanoTime()); // a read that started before the clear ended after it
        assertThat(generations.fresh("app!0")).isEqualTo(5);
        assertThat(generations.freshForReads("app!0")).isEqualTo(5);
        generations.learn("app!0", 6, System.nanoTime());
        assertThat(generations.fresh("app!0")).isEqualTo(6);
    }

    @Test
    void itStaysBounded() {
        Generations generations = new Generations(Duration.ofSeconds(1));
        for (int i = 0; i <= Generations.MAX_ENTRIES; i++) {
            generations.learn("ns" + i + "!0", i, System.nanoTime());
        }
        assertThat(generations.fresh("ns0!0"))
                .as("forgotten when the map started afresh")
                .isEqualTo(-1);
        assertThat(generations.fresh("ns" + Generations.MAX_ENTRIES + "!0")).isEqualTo(Generations.MAX_ENTRIES);
    }
}
