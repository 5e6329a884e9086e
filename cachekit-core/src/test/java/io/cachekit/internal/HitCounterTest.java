package io.cachekit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hits are counted exactly, by threads that find their cell in their slot and by threads whose slot another
 * holds (more threads than slots), which use a thread-local cell.
 */
class HitCounterTest {
    @Test
    void countsEveryIncrementOfEveryThread() throws Exception {
        assertThat(countWith(4, 100_000)).isEqualTo(1 + 5 * 100_000L);
    }

    @Test
    void countsExactlyWhenThreadsShareSlots() throws Exception {
        assertThat(countWith(80, 10_000)).isEqualTo(1 + 81 * 10_000L);
    }

    /** One increment here, then {@code threads} threads and this one each count {@code each} at once. */
    private static long countWith(int threads, int each) throws InterruptedException {
        HitCounter counter = new HitCounter();
        counter.increment();
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            started.add(new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    counter.increment();
                }
            }));
        }
        started.forEach(Thread::start);
        for (int i = 0; i < each; i++) {
            counter.increment();
        }
        for (Thread t : started) {
            t.join();
        }
        return counter.sum();
    }
}
