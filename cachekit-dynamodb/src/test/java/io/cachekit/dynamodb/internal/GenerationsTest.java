package io.cachekit.dynamodb.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The per-process memory of generations that writes are tagged with. */
class GenerationsTest {

    @Test
    void aGenerationJustReadIsKnownAndAnUnknownOneIsNot() {
        Generations generations = new Generations();
        assertThat(generations.fresh("app!0")).isEqualTo(-1);
        generations.learn("app!0", 4);
        assertThat(generations.fresh("app!0")).isEqualTo(4);
        assertThat(generations.fresh("app!1")).isEqualTo(-1);
    }

    @Test
    void aLowerGenerationReadJustAfterAHigherOneDoesNotReplaceIt() {
        Generations generations = new Generations();
        generations.learn("app!0", 5); // a clear's update returned 5
        generations.learn("app!0", 4); // a read that started before the clear ended after it
        assertThat(generations.fresh("app!0")).isEqualTo(5);
        generations.learn("app!0", 6);
        assertThat(generations.fresh("app!0")).isEqualTo(6);
    }

    @Test
    void itStaysBounded() {
        Generations generations = new Generations();
        for (int i = 0; i <= Generations.MAX_ENTRIES; i++) {
            generations.learn("ns" + i + "!0", i);
        }
        assertThat(generations.fresh("ns0!0"))
                .as("forgotten when the map started afresh")
                .isEqualTo(-1);
        assertThat(generations.fresh("ns" + Generations.MAX_ENTRIES + "!0")).isEqualTo(Generations.MAX_ENTRIES);
    }
}
