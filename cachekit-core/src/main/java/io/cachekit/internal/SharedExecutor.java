package io.cachekit.internal;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cachekit's own executors, used when the configuration gives none: one for blocking backend work and one
 * that async results complete on.
 */
public final class SharedExecutor {
    private SharedExecutor() {}

    /**
     * The bounded executor for blocking backend work: daemon threads that time out when idle, a bounded
     * queue, and rejection (reported as a backend failure) instead of unbounded growth.
     */
    public static Executor shared() {
        return Blocking.EXECUTOR;
    }

    /**
     * The executor that async results of remote stores complete on, and that loaders start on: a
     * {@link ForkJoinPool} of daemon threads of its own ({@code cachekit-async-N}), one per processor (at least
     * two). Loaders that block for long should be given an executor of their own in the configuration.
     *
     * <p>Not {@code ForkJoinPool.commonPool()}: with fewer than three processors the common pool has one
     * thread, and {@link java.util.concurrent.CompletableFuture} then replaces it with a new thread per task,
     * which made every async call start a thread; and loaders that block would stall whatever else of the
     * application runs on the common pool.
     */
    public static Executor completions() {
        return Completions.POOL;
    }

    /**
     * Whether the current thread is one of these executors' threads, where a result may complete without a
     * further hand-off: neither is a store client's I/O thread nor a timer thread.
     */
    public static boolean onOwnThread() {
        return Thread.currentThread() instanceof OwnThread;
    }

    /** Marks the threads of these executors. */
    private interface OwnThread {}

    private static final class BlockingThread extends Thread implements OwnThread {
        BlockingThread(Runnable task, String name) {
            super(task, name);
            setDaemon(true);
        }
    }

    private static final class CompletionThread extends ForkJoinWorkerThread implements OwnThread {
        CompletionThread(ForkJoinPool pool, String name) {
            super(pool);
            setName(name);
            setDaemon(true);
        }
    }

    private static final class Blocking {
        static final Executor EXECUTOR = create();

        private static Executor create() {
            int threads = Math.max(4, Runtime.getRuntime().availableProcessors() * 4);
            AtomicInteger count = new AtomicInteger();
            ThreadFactory factory = r -> new BlockingThread(r, "cachekit-io-" + count.incrementAndGet());
            ThreadPoolExecutor executor = new ThreadPoolExecutor(
                    threads,
                    threads,
                    30,
                    TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(10_000),
                    factory,
                    new ThreadPoolExecutor.AbortPolicy());
            executor.allowCoreThreadTimeOut(true);
            return executor;
        }
    }

    private static final class Completions {
        static final ForkJoinPool POOL = create();

        private static ForkJoinPool create() {
            // One worker per processor (at least 2): more workers than processors only add wake-ups to a
            // hand-off (on 2 cores, 4 workers cost Redis async calls a fifth of their throughput).
            int parallelism = Math.max(2, Runtime.getRuntime().availableProcessors());
            AtomicInteger count = new AtomicInteger();
            ForkJoinPool.ForkJoinWorkerThreadFactory factory =
                    pool -> new CompletionThread(pool, "cachekit-async-" + count.incrementAndGet());
            return new ForkJoinPool(parallelism, factory, null, true); // FIFO: completions in arrival order
        }
    }
}
