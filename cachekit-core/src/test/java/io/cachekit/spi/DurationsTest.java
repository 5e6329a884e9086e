package io.cachekit.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void parsesUnitsAndIsoForms() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse(" 30s ")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(Durations.parse("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
        assertThatThrownBy(() -> Durations.parse("30 seconds"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid duration '30 seconds'");
    }

    @Test
    void rangeCheckKeepsBothEndsAndNamesTheOption() {
        Duration ten = Duration.ofSeconds(10);
        assertThat(Durations.requireBetweenZeroAnd("reuse", Duration.ZERO, ten)).isEqualTo(Duration.ZERO);
        assertThat(Durations.requireBetweenZeroAnd("reuse", ten, ten)).isEqualTo(ten);
        assertThatThrownBy(() -> Durations.requireBetweenZeroAnd("reuse", ten.plusNanos(1), ten))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reuse must be between 0 and 10 seconds, got PT10.000000001S");
        assertThatThrownBy(() -> Durations.requireBetweenZeroAnd("reuse", Duration.ofMillis(-1), ten))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("reuse must be between 0 and 10 seconds");
        assertThatThrownBy(() -> Durations.requireBetweenZeroAnd("reuse", null, ten))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("reuse");
    }
}
