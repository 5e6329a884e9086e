package io.cachekit.benchmarks;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor on which the raw side of an async row runs a blocking client's calls, built as Cachekit's shared
 * executor for blocking backends is (as many threads, a bounded queue of 10,000, daemon threads): both sides
 * then pay for the same hop to another thread.
 */
public final class BlockingExecutors {
    private BlockingExecutors() {}

    /** Threads of Cachekit's shared executor: four per processor, at least four. */
    public static final int THREADS = Math.max(4, Runtime.getRuntime().availableProcessors() * 4);

    /** A new executor like Cachekit's shared one. */
    public static ExecutorService create(String name) {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(
                THREADS,
                THREADS,
                30,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(10_000),
                r -> {
                    Thread t = new Thread(r, name + "-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
