package io.cachekit.internal;

import io.cachekit.BackendStatus;
import io.cachekit.CacheBackendException;
import io.cachekit.StoreUnreachableException;
import io.cachekit.spi.CacheBackend;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend that is still connecting: creating it never waits for the store. Until a background attempt
 * succeeds every call fails at once with a {@link StoreUnreachableException}, so fail-open callers get
 * their real method and the direct API a fast error; then calls go to the connected backend. Attempts
 * repeat with exponential backoff (100 ms doubling to 5 s), on the configured executor, without a thread
 * of their own.
 *
 * <p>Thread-safe. Closing it stops the attempts and closes the connected backend, even one that connects
 * after the close.
 */
final class DeferredBackend implements CacheBackend {
    private static final Logger LOG = LoggerFactory.getLogger(DeferredBackend.class);
    private static final long FIRST_DELAY_MILLIS = 100;
    private static final long MAX_DELAY_MILLIS = 5_000;

    private final String name;
    private final String target;
    private final Supplier<CacheBackend> connect;
    private final Function<CacheBackend, CacheBackend> wrap;
    private final Executor executor;
    private final AtomicInteger attempts = new AtomicInteger();
    private volatile CacheBackend connected;
    private volatile RuntimeException lastError;
    private volatile boolean closed;

    /**
     * @param name the backend's name for messages and metrics
     * @param target where the store is, without credentials, for messages
     * @param connect creates the real backend; throws while the store is unreachable
     * @param wrap applied to the connected backend (the circuit breaker)
     */
    DeferredBackend(
            String name,
            String target,
            Supplier<CacheBackend> connect,
            Function<CacheBackend, CacheBackend> wrap,
            Executor executor,
            RuntimeException firstError) {
        this.name = name;
        this.target = target;
        this.connect = connect;
        this.wrap = wrap;
        this.executor = executor;
        this.lastError = firstError;
    }

    /** Starts connecting in the background: the first attempt after the first backoff delay. */
    void start() {
        schedule(FIRST_DELAY_MILLIS);
    }

    /** Hands over a backend that a first attempt, started before this object, connected late. */
    void connected(CacheBackend backend) {
        CacheBackend wrapped = wrap.apply(backend);
        synchronized (this) {
            if (!closed && connected == null) {
                connected = wrapped;
                LOG.info("Cachekit connected to {} {}", name, target);
                return;
            }
        }
        backend.close();
    }

    BackendStatus status() {
        CacheBackend c = connected;
        if (closed) {
            return BackendStatus.CLOSED;
        }
        return c == null ? BackendStatus.CONNECTING : BackendGuards.status(c);
    }

    private void schedule(long delayMillis) {
        Executor delayed = CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS, executor);
        try {
            delayed.execute(this::attempt);
        } catch (RuntimeException e) {
            // The executor refused (saturated or shut down): try again later rather than never.
            lastError = e;
            CompletableFuture.delayedExecutor(MAX_DELAY_MILLIS, TimeUnit.MILLISECONDS)
                    .execute(() -> schedule(MAX_DELAY_MILLIS));
        }
    }

    private void attempt() {
        if (closed || connected != null) {
            return;
        }
        int n = attempts.incrementAndGet();
        try {
            connected(connect.get());
        } catch (RuntimeException e) {
            lastError = e;
            if (n == 1 || Integer.bitCount(n) == 1) {
                // Logged on attempts 1, 2, 4, 8, ...: a store that stays down cannot flood the log.
                LOG.warn(
                        "Cachekit cannot reach {} {} yet (attempt {}); retrying in the background: {}",
                        name,
                        target,
                        n,
                        e.toString());
            }
            long delay = Math.min(MAX_DELAY_MILLIS, FIRST_DELAY_MILLIS << Math.min(n, 10));
            schedule(delay);
        }
    }

    private CacheBackend backend(String operation) {
        CacheBackend c = connected;
        if (c != null) {
            return c;
        }
        if (closed) {
            throw new CacheBackendException(name + " " + operation + ": the backend is closed");
        }
        RuntimeException cause = lastError;
        throw new StoreUnreachableException(
                name + " " + operation + ": not connected to " + target + " yet; connecting in the background"
                        + (cause == null ? "" : " (last error: " + cause.getMessage() + ")"),
                cause);
    }

    private <T> CompletableFuture<T> async(String operation, Function<CacheBackend, CompletableFuture<T>> call) {
        CacheBackend c;
        try {
            c = backend(operation);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return call.apply(c);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public byte[] get(String namespace, String key) {
        return backend("get").get(namespace, key);
    }

    @Override
    public void set(String namespace, String key, byte[] value, Duration ttl) {
        backend("set").set(namespace, key, value, ttl);
    }

    @Override
    public byte[] setIfAbsent(String namespace, String key, byte[] value, Duration ttl) {
        return backend("setIfAbsent").setIfAbsent(namespace, key, value, ttl);
    }

    @Override
    public CompletableFuture<byte[]> setIfAbsentAsync(String namespace, String key, byte[] value, Duration ttl) {
        return async("setIfAbsent", c -> c.setIfAbsentAsync(namespace, key, value, ttl));
    }

    @Override
    public void delete(String namespace, String key) {
        backend("delete").delete(namespace, key);
    }

    @Override
    public void clear(String namespace) {
        backend("clear").clear(namespace);
    }

    @Override
    public Map<String, byte[]> getMany(String namespace, Collection<String> keys) {
        return backend("getMany").getMany(namespace, keys);
    }

    @Override
    public void setMany(String namespace, Map<String, byte[]> entries, Duration ttl) {
        backend("setMany").setMany(namespace, entries, ttl);
    }

    @Override
    public CompletableFuture<byte[]> getAsync(String namespace, String key) {
        return async("get", c -> c.getAsync(namespace, key));
    }

    @Override
    public CompletableFuture<Void> setAsync(String namespace, String key, byte[] value, Duration ttl) {
        return async("set", c -> c.setAsync(namespace, key, value, ttl));
    }

    @Override
    public CompletableFuture<Void> deleteAsync(String namespace, String key) {
        return async("delete", c -> c.deleteAsync(namespace, key));
    }

    @Override
    public CompletableFuture<Void> clearAsync(String namespace) {
        return async("clear", c -> c.clearAsync(namespace));
    }

    @Override
    public CompletableFuture<Map<String, byte[]>> getManyAsync(String namespace, Collection<String> keys) {
        return async("getMany", c -> c.getManyAsync(namespace, keys));
    }

    @Override
    public CompletableFuture<Void> setManyAsync(String namespace, Map<String, byte[]> entries, Duration ttl) {
        return async("setMany", c -> c.setManyAsync(namespace, entries, ttl));
    }

    @Override
    public <T> T unwrap(Class<T> type) {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        return backend("unwrap").unwrap(type);
    }

    @Override
    public void close() {
        CacheBackend c;
        synchronized (this) {
            closed = true;
            c = connected;
        }
        if (c != null) {
            c.close();
        }
    }
}
