package io.cachekit.tck;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Calls one operation from several threads until stopped or until a bound of calls, recording when each
 * call started, how long it took, and whether it threw. Bounded in count, so it always ends by itself.
 */
final class LoadRun implements AutoCloseable {
    /** What one call did. */
    record Call(long startNanos, long nanos, boolean failed) {}

    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();
    private final int maxCalls;

    private LoadRun(int maxCalls) {
        this.maxCalls = maxCalls;
    }

    /** Starts {@code threads} threads that each call {@code operation} until {@link #stop()}. */
    static LoadRun start(int threads, int maxCalls, Runnable operation) {
        LoadRun run = new LoadRun(maxCalls);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(
                    () -> {
                        while (!run.stop.get() && run.count.incrementAndGet() <= maxCalls) {
                            long start = System.nanoTime();
                            boolean failed = false;
                            try {
                                operation.run();
                            } catch (RuntimeException | AssertionError e) {
                                failed = true;
                                run.firstFailure.compareAndSet(null, e);
                            }
                            run.calls.add(new Call(start, System.nanoTime() - start, failed));
                        }
                    },
                    "cachekit-load-" + i);
            t.setDaemon(true);
            run.threads.add(t);
            t.start();
        }
        return run;
    }

    /** Calls finished so far. */
    int finished() {
        return calls.size();
    }

    /** Whether the bound of calls is reached: the threads end by themselves. */
    boolean exhausted() {
        return count.get() >= maxCalls;
    }

    /** The first failure a call threw, or {@code null}. */
    Throwable firstFailure() {
        return firstFailure.get();
    }

    /** The calls that started in {@code [fromNanos, toNanos)}. */
    List<Call> startedBetween(long fromNanos, long toNanos) {
        List<Call> result = new ArrayList<>();
        for (Call c : calls) {
            if (c.startNanos() - fromNanos >= 0 && c.startNanos() - toNanos < 0) {
                result.add(c);
            }
        }
        return result;
    }

    @Override
    public void close() {
        stop();
    }

    /** Stops the threads and waits for them. Idempotent. */
    void stop() {
        stop.set(true);
        for (Thread t : threads) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A report of the given calls. */
    static FailureReport report(
            String suite, long timeoutMillis, String scenario, List<Call> calls, long recoveryMillis) {
        long[] latencies = calls.stream().mapToLong(Call::nanos).toArray();
        int failed = (int) calls.stream().filter(Call::failed).count();
        return new FailureReport(suite, scenario, timeoutMillis, calls.size(), failed, latencies, recoveryMillis);
    }
}
