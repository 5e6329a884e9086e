package io.cachekit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Watched futures that never complete fail with the supplied exception; those that complete keep their value
 * and leave the watch; a throwing supplier neither loses its call nor stops later timeouts.
 */
// join() ignores interrupts: a sweep that never fired would hang the build; run apart, it fails instead.
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OperationTimeoutsTest {
    private static final Duration TIMEOUT = Duration.ofMillis(20);

    @Test
    void failsAPendingFutureWithTheSuppliedException() {
        OperationTimeouts timeouts = new OperationTimeouts(TIMEOUT);
        IllegalStateException timedOut = new IllegalStateException("timed out");
        CompletableFuture<String> call = timeouts.watch(new CompletableFuture<>(), () -> timedOut);

        assertThatThrownBy(call::join).isInstanceOf(CompletionException.class).hasCause(timedOut);
        assertThat(timeouts.pendingCount()).isZero();
    }

    @Test
    void aCompletedFutureKeepsItsValueAndLeavesTheWatch() {
        OperationTimeouts timeouts = new OperationTimeouts(Duration.ofHours(1));
        CompletableFuture<String> call = timeouts.watch(new CompletableFuture<>(), IllegalStateException::new);
        assertThat(timeouts.pendingCount()).isEqualTo(1);

        call.complete("value");

        assertThat(call.join()).isEqualTo("value");
        assertThat(timeouts.pendingCount()).isZero();
    }

    @Test
    void everyPendingFutureOfManyThreadsTimesOutAndEveryCompletedOneKeepsItsValue() throws Exception {
        OperationTimeouts timeouts = new OperationTimeouts(TIMEOUT);
        int threads = 4;
        int each = 500;
        List<List<CompletableFuture<Integer>>> watched = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<CompletableFuture<Integer>> mine = new ArrayList<>();
            watched.add(mine);
            done.add(CompletableFuture.runAsync(
                    () -> {
                        await(start);
                        for (int i = 0; i < each; i++) {
                            CompletableFuture<Integer> call =
                                    timeouts.watch(new CompletableFuture<>(), IllegalStateException::new);
                            if (i % 2 == 0) {
                                call.complete(i);
                            }
                            mine.add(call);
                        }
                    },
                    pool));
        }
        start.countDown();
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
        pool.shutdown();

        for (List<CompletableFuture<Integer>> mine : watched) {
            for (int i = 0; i < mine.size(); i++) {
                CompletableFuture<Integer> call = mine.get(i);
                if (i % 2 == 0) {
                    assertThat(call.join()).isEqualTo(i);
                } else {
                    assertThatThrownBy(call::join).hasCauseInstanceOf(IllegalStateException.class);
                }
            }
        }
        assertThat(timeouts.pendingCount()).isZero();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aThrowingSupplierFailsItsCallAndLaterCallsStillTimeOut() {
        OperationTimeouts timeouts = new OperationTimeouts(TIMEOUT);
        IllegalArgumentException broken = new IllegalArgumentException("broken supplier");
        CompletableFuture<String> first = timeouts.watch(new CompletableFuture<>(), () -> {
            throw broken;
        });
        assertThatThrownBy(first::join).hasCause(broken);

        CompletableFuture<String> second = timeouts.watch(new CompletableFuture<>(), IllegalStateException::new);
        assertThatThrownBy(second::join).hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void rejectsATimeoutThatIsNotPositive() {
        assertThatThrownBy(() -> new OperationTimeouts(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout must be positive");
        assertThatThrownBy(() -> new OperationTimeouts(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OperationTimeouts(null)).isInstanceOf(NullPointerException.class);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
