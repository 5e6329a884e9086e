package io.cachekit.http.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests in flight, by key: the first request for a key leads (runs the handler), the others wait for its
 * result instead of running their own (request collapsing, nginx's {@code proxy_cache_lock}). A lead ends with
 * {@link #land}, which always runs, so waiters never wait for a request that has gone.
 *
 * <p>Thread-safe; not API.
 *
 * @param <T> what a lead hands its waiters
 */
public final class Flights<T> {
    private final ConcurrentMap<String, CompletableFuture<T>> running = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();

    /** A claim on a key: the lead, or a place among the waiters. */
    public static final class Ticket<T> {
        private final String key;
        private final CompletableFuture<T> future;
        private final boolean leader;

        private Ticket(String key, CompletableFuture<T> future, boolean leader) {
            this.key = key;
            this.future = future;
            this.leader = leader;
        }

        /** Whether this request leads and must {@link Flights#land} its flight. */
        public boolean leader() {
            return leader;
        }
    }

    /** Leads the flight of {@code key}, or joins the one already running. */
    public Ticket<T> claim(String key) {
        CompletableFuture<T> mine = new CompletableFuture<>();
        CompletableFuture<T> theirs = running.putIfAbsent(key, mine);
        return theirs == null ? new Ticket<>(key, mine, true) : new Ticket<>(key, theirs, false);
    }

    /** Leads the flight of {@code key} if none is running; null otherwise. */
    public Ticket<T> tryLead(String key) {
        Ticket<T> ticket = claim(key);
        return ticket.leader ? ticket : null;
    }

    /**
     * Waits at most {@code timeout} for the lead's result. Null when the lead handed nothing, took longer, or
     * the thread was interrupted (its interrupt flag is kept); the waiter then answers by itself.
     */
    public T await(Ticket<T> ticket, Duration timeout) {
        if (ticket.leader) {
            throw new IllegalStateException("The lead does not wait for itself");
        }
        waiting.incrementAndGet();
        try {
            return ticket.future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        } finally {
            waiting.decrementAndGet();
        }
    }

    /**
     * Ends a lead: leaves the map first, so that a request arriving now reads the cache, then wakes the waiters
     * with {@code result} (null for nothing to share).
     */
    public void land(Ticket<T> ticket, T result) {
        Objects.requireNonNull(ticket, "ticket");
        if (!ticket.leader) {
            throw new IllegalStateException("Only the lead lands a flight");
        }
        running.remove(ticket.key, ticket.future);
        ticket.future.complete(result);
    }

    /** How many requests are waiting for another request's result right now. */
    public int waiting() {
        return waiting.get();
    }
}
