package io.cachekit.spring.app;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * Lets a test hold handlers (until it releases them) or make them fail, to see what the cache serves
 * meanwhile. Thread-safe.
 */
@Component
public class Gate {
    /** How a failing handler fails. */
    public enum Failure {
        NONE,
        THROW,
        STATUS_503
    }

    private volatile CountDownLatch latch = new CountDownLatch(0);
    private volatile Failure failure = Failure.NONE;

    /** Holds every handler that passes the gate until {@link #open()}. */
    public void close() {
        latch = new CountDownLatch(1);
    }

    public void open() {
        latch.countDown();
    }

    public void fail(Failure how) {
        failure = how;
    }

    /** Waits while the gate is closed; then tells how to fail, if at all. */
    public Failure pass() throws InterruptedException {
        if (!latch.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the test never opened the gate");
        }
        return failure;
    }
}
