package io.cachekit.memcached.internal;

import io.cachekit.CacheTimeoutException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.command.Command;
import net.rubyeye.xmemcached.exception.MemcachedException;

/**
 * Sends a batch of xmemcached commands before it waits for the first answer (xmemcached writes the commands of
 * each server together), then waits for all of them within one deadline. Used where one operation has a command
 * for several keys or servers: writing many entries, reading or advancing generation counters. Not API;
 * thread-safe.
 */
public final class Pipeline {
    private final MemcachedClient client;
    private final MemcachedErrors errors;

    /**
     * @param client the client that sends the commands
     * @param errors where failures become Cachekit's exceptions
     */
    public Pipeline(MemcachedClient client, MemcachedErrors errors) {
        this.client = client;
        this.errors = errors;
    }

    /**
     * Sends every command of {@code batch}, then waits for them until {@code deadline} ({@link System#nanoTime()}).
     * Returns, per command and in order, its result or the exception it met (a {@link RuntimeException}).
     * Commands that have not answered by the deadline are cancelled and the call fails.
     *
     * @throws CacheTimeoutException when a command has not answered by the deadline
     * @throws io.cachekit.CacheBackendException when the waiting thread is interrupted (its commands cancelled)
     */
    public List<Object> send(String operation, List<Command> batch, long deadline) {
        Object[] outcomes = new Object[batch.size()];
        boolean[] sent = new boolean[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            try {
                if (client.isShutdown()) {
                    throw errors.failure(operation, "the client is shut down");
                }
                client.getConnector().send(batch.get(i));
                sent[i] = true;
            } catch (MemcachedException | RuntimeException e) {
                outcomes[i] = errors.map(operation, e);
            }
        }
        try {
            for (int i = 0; i < batch.size(); i++) {
                if (!sent[i]) {
                    continue;
                }
                Command command = batch.get(i);
                CountDownLatch latch = command.getLatch();
                if (!latch.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    cancelUnanswered(batch, sent, i);
                    throw errors.timeout(operation, null);
                }
                Exception failure = command.getException();
                outcomes[i] = failure != null ? errors.map(operation, failure) : command.getResult();
            }
        } catch (InterruptedException e) {
            cancelUnanswered(batch, sent, 0);
            throw errors.map(operation, e);
        }
        return Arrays.asList(outcomes);
    }

    private static void cancelUnanswered(List<Command> batch, boolean[] sent, int from) {
        for (int j = from; j < batch.size(); j++) {
            if (sent[j] && batch.get(j).getLatch().getCount() > 0) {
                batch.get(j).cancel();
            }
        }
    }
}
