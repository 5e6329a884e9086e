package io.cachekit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hits are counted exactly, by the first thread through its shortcut and by every other through its own cell. */
class HitCounterTest {
    @Test
    void countsEveryIncrementOfEveryThread() throws Exception {
        HitCounter counter = new HitCounter();
        counter.increment(); // this thread's cell becomes the shortcut
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(new Thread(() -> {
                for (int i = 0; i < 100_000; i++) {
                    counter.increment();
                }
            }));
        }
        threads.forEach(Thread::start);
        for (int i = 0; i < 100_000; i++) {
            counter.increment();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(counter.sum()).isEqualTo(1 + 5 * 100_000L);
    }
}
