package io.cachekit.internal;

import io.cachekit.BackendStatus;
import io.cachekit.CachekitConfig;
import io.cachekit.StoreUnreachableException;
import io.cachekit.spi.CacheBackend;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Puts a backend behind what keeps a failing store from taking the application with it: a circuit breaker
 * and a hand-off of async results to the executor for remote stores ({@link GuardedBackend}), and a background connection for a store that is unreachable
 * when the cache is created ({@link DeferredBackend}). Not API.
 */
public final class BackendGuards {
    static final Duration MIN_FIRST_ATTEMPT_WAIT = Duration.ofSeconds(2);

    private BackendGuards() {}

    /**
     * Guards a backend the caller created ({@link GuardedBackend}): behind a circuit breaker unless the config
     * turns it off, with its async results handed to the executor. The in-memory backend stays as it is: it
     * cannot fail, has no I/O thread, and its hit path must not pay for either.
     */
    public static CacheBackend guard(CacheBackend backend, CachekitConfig config) {
        if (ReferenceStore.inMemory(backend)
                || backend instanceof GuardedBackend
                || backend instanceof DeferredBackend) {
            return backend;
        }
        return new GuardedBackend(backend, config);
    }

    /**
     * Creates a backend with {@code create}, guarded. With {@link CachekitConfig#connectEagerly()} it waits
     * and throws whatever creation throws. Otherwise it waits at most the operation timeout (2 s at least): a store that
     * is unreachable ({@link StoreUnreachableException}) or slower than that is connected in the
     * background, while any other failure (a bad option, bad credentials) is thrown at once.
     *
     * @param name the backend's name, for messages and metrics while it connects
     * @param target where the store is, without credentials, for messages
     */
    public static CacheBackend open(
            CachekitConfig config, Executor executor, String name, String target, Supplier<CacheBackend> create) {
        if (config.connectEagerly()) {
            return guard(create.get(), config);
        }
        CompletableFuture<CacheBackend> first;
        try {
            first = CompletableFuture.supplyAsync(create, executor);
        } catch (RuntimeException e) {
            return guard(create.get(), config);
        }
        try {
            return guard(first.get(firstAttemptWait(config).toNanos(), TimeUnit.NANOSECONDS), config);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StoreUnreachableException unreachable) {
                DeferredBackend deferred = deferred(config, executor, name, target, create, unreachable);
                deferred.start();
                return deferred;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        } catch (TimeoutException e) {
            DeferredBackend deferred = deferred(config, executor, name, target, create, null);
            first.whenComplete((backend, error) -> {
                if (backend != null) {
                    deferred.connected(backend);
                } else {
                    deferred.start();
                }
            });
            return deferred;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            first.thenAccept(CacheBackend::close);
            throw new StoreUnreachableException(name + ": interrupted while connecting to " + target, e);
        }
    }

    /**
     * How long creation waits for the first attempt: the operation timeout, but at least {@link
     * #MIN_FIRST_ATTEMPT_WAIT}, since a first connection also starts the client (event loops, TLS), which
     * takes longer than a command.
     */
    private static Duration firstAttemptWait(CachekitConfig config) {
        Duration timeout = config.operationTimeout();
        return timeout.compareTo(MIN_FIRST_ATTEMPT_WAIT) > 0 ? timeout : MIN_FIRST_ATTEMPT_WAIT;
    }

    private static DeferredBackend deferred(
            CachekitConfig config,
            Executor executor,
            String name,
            String target,
            Supplier<CacheBackend> create,
            RuntimeException firstError) {
        return new DeferredBackend(name, target, create, b -> guard(b, config), executor, firstError);
    }

    /** What a guarded backend knows of its store's health. */
    public static BackendStatus status(CacheBackend backend) {
        if (backend instanceof DeferredBackend deferred) {
            return deferred.status();
        }
        if (backend instanceof GuardedBackend breaker) {
            return breaker.status();
        }
        return BackendStatus.UP;
    }
}
