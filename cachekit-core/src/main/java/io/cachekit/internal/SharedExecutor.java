package io.cachekit.internal;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded executor for blocking backend work when the user gives none: daemon threads that time out
 * when idle, a bounded queue, and rejection (reported as a backend failure) instead of unbounded growth.
 */
public final class SharedExecutor {
    private SharedExecutor() {}

    /** The shared executor. */
    public static Executor shared() {
        return Holder.EXECUTOR;
    }

    private static final class Holder {
        static final Executor EXECUTOR = create();

        private static Executor create() {
            int threads = Math.max(4, Runtime.getRuntime().availableProcessors() * 4);
            AtomicInteger count = new AtomicInteger();
            ThreadFactory factory = r -> {
                Thread t = new Thread(r, "cachekit-io-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
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
}
