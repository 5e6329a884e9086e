package io.cachekit.example;

import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The pause of a simulated remote call ({@code example.slowness}, 1 second by default, 0 in tests), so that
 * the difference a cache makes can be felt from the command line. Thread-safe.
 */
@Component
public class Slowness {
    private final Duration pause;

    public Slowness(@Value("${example.slowness:1s}") Duration pause) {
        this.pause = pause;
    }

    /** Waits as a remote service would; returns at once when the pause is zero. */
    public void pause() {
        if (pause.isZero() || pause.isNegative()) {
            return;
        }
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the simulated service", e);
        }
    }
}
