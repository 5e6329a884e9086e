package io.cachekit.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.spi.BackendContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The in-memory backend's layout and expiry, driven by a clock the tests move by hand. */
class MemoryBackendTest {
    private static final long START = 1_700_000_000_000L;

    /** A clock that tests move by hand. */
    static final class TestClock extends Clock {
        final AtomicLong millis = new AtomicLong(START);

        void advance(Duration d) {
            millis.addAndGet(d.toMillis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }

    private final TestClock clock = new TestClock();

    private MemoryBackend backend(long maxSize) {
        return new MemoryBackend(
                MemoryBackendOptions.builder().maxSize(maxSize).build(),
                new BackendContext(Duration.ofSeconds(1), clock, ForkJoinPool.commonPool()));
    }

    @Test
    void expiredEntriesThatAreNeverReadAgainAreFreedByLaterWrites() {
        try (MemoryBackend memory = backend(10_000)) {
            for (int i = 0; i < 100; i++) {
                memory.setReference("users", "u" + i, "v" + i, Duration.ofSeconds(1));
                memory.set("other", "b" + i, new byte[] {1}, Duration.ofSeconds(1));
            }
            memory.setReference("users", "forever", "v", null);
            assertThat(memory.size("users")).isEqualTo(101);

            // Past the TTL and the timer wheel's coarsest step on the lowest level (about a second).
            clock.advance(Duration.ofSeconds(3));
            memory.setReference("users", "later", "v", Duration.ofMinutes(1));

            assertThat(memory.size("users")).isEqualTo(2);
            assertThat(memory.size("other")).isZero();
            assertThat(memory.evictionCount("users")).isEqualTo(100);
            assertThat(memory.evictionCount("other")).isEqualTo(100);
            assertThat(memory.estimatedSize()).isEqualTo(2);
            assertThat(memory.getReference("users", "forever")).isEqualTo("v");
        }
    }

    @Test
    void anEntryPastItsTtlIsNeverReturnedAndIsRemovedWhenRead() {
        try (MemoryBackend memory = backend(100)) {
            memory.setReference("ns", "k", "v", Duration.ofMillis(1_000));
            memory.set("ns", "bytes", new byte[] {7}, Duration.ofMillis(1_000));
            clock.advance(Duration.ofMillis(999));
            assertThat(memory.getReference("ns", "k")).isEqualTo("v");
            assertThat(memory.get("ns", "bytes")).containsExactly(7);

            clock.advance(Duration.ofMillis(1));
            assertThat(memory.getReference("ns", "k")).isNull();
            assertThat(memory.get("ns", "bytes")).isNull();
            assertThat(memory.expiresAt("ns", "k")).isEqualTo(-1);
            // The first read past the deadline removed its entry; the second found it hidden by Caffeine, which
            // frees it in its maintenance once its timer wheel has moved on.
            clock.advance(Duration.ofSeconds(2));
            memory.setReference("elsewhere", "k", "v", null);
            assertThat(memory.size("ns")).isZero();
            assertThat(memory.evictionCount("ns")).isEqualTo(2);
        }
    }

    @Test
    void expiresAtIsTheDeadlineOnTheBackendsClock() {
        try (MemoryBackend memory = backend(100)) {
            memory.setReference("ns", "ttl", "v", Duration.ofSeconds(10));
            memory.setReference("ns", "never", "v", null);
            clock.advance(Duration.ofSeconds(4));
            assertThat(memory.expiresAt("ns", "ttl")).isEqualTo(START + 10_000);
            assertThat(memory.expiresAt("ns", "never")).isZero();
            assertThat(memory.expiresAt("ns", "absent")).isEqualTo(-1);
            memory.setReference("ns", "huge", "v", Duration.ofDays(365 * 500));
            assertThat(memory.expiresAt("ns", "huge")).isZero();
        }
    }

    @Test
    void setIfAbsentKeepsALiveEntryAndReplacesAnExpiredOne() {
        try (MemoryBackend memory = backend(100)) {
            assertThat(memory.setReferenceIfAbsent("ns", "k", "first", Duration.ofSeconds(1)))
                    .isNull();
            assertThat(memory.setReferenceIfAbsent("ns", "k", "second", Duration.ofSeconds(1)))
                    .isEqualTo("first");
            assertThat(memory.setReferenceIfAbsent("ns", "n", null, null)).isNull();
            assertThat(memory.setReferenceIfAbsent("ns", "n", "x", null)).isSameAs(MemoryBackend.NULL_VALUE);

            clock.advance(Duration.ofSeconds(1));
            assertThat(memory.setReferenceIfAbsent("ns", "k", "third", Duration.ofSeconds(1)))
                    .isNull();
            assertThat(memory.getReference("ns", "k")).isEqualTo("third");
            assertThat(memory.size("ns")).isEqualTo(2);
        }
    }

    @Test
    void namespacesHoldTheSameKeyApart() {
        try (MemoryBackend memory = backend(100)) {
            // The first namespace used stores its keys bare, the others as pairs: both must behave alike.
            memory.setReference("first", "k", "a", null);
            memory.setReference("second", "k", "b", Duration.ofMinutes(1));
            memory.set("third", "k", new byte[] {3}, null);
            assertThat(memory.getReference("first", "k")).isEqualTo("a");
            assertThat(memory.getReference("second", "k")).isEqualTo("b");
            assertThat(memory.get("third", "k")).containsExactly(3);

            memory.clear("first");
            assertThat(memory.getReference("first", "k")).isNull();
            assertThat(memory.getReference("second", "k")).isEqualTo("b");
            memory.clear("second");
            assertThat(memory.getReference("second", "k")).isNull();
            assertThat(memory.get("third", "k")).containsExactly(3);
            assertThat(memory.size("first") + memory.size("second")).isZero();
            assertThat(memory.size("third")).isEqualTo(1);
        }
    }
}
