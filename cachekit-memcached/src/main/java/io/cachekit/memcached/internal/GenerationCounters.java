package io.cachekit.memcached.internal;

import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.rubyeye.xmemcached.CommandFactory;
import net.rubyeye.xmemcached.command.Command;
import net.rubyeye.xmemcached.command.CommandType;

/**
 * The namespace generation counters on the servers: binary {@code incr} commands, which create a missing counter
 * atomically with a fresh random value (so every caller gets the same one), sent through the {@link Pipeline},
 * and what they answer recorded in {@link Generations}. Not API; thread-safe.
 */
public final class GenerationCounters {
    private final CommandFactory commands;
    private final Pipeline pipeline;
    private final Generations generations;
    private final MemcachedErrors errors;

    /**
     * @param commands the binary protocol's command factory
     * @param pipeline where the commands go
     * @param generations what this process last saw of each counter
     * @param errors where failures become Cachekit's exceptions
     */
    public GenerationCounters(
            CommandFactory commands, Pipeline pipeline, Generations generations, MemcachedErrors errors) {
        this.commands = commands;
        this.pipeline = pipeline;
        this.generations = generations;
        this.errors = errors;
    }

    /** A binary {@code incr} by {@code delta} that creates a missing counter with a fresh random generation. */
    public Command increment(String generationKey, long delta) {
        return commands.createIncrDecrCommand(
                generationKey,
                generationKey.getBytes(StandardCharsets.UTF_8),
                delta,
                Generations.fresh(),
                0,
                CommandType.INCR,
                false);
    }

    /**
     * The generations writes under {@code generationKeys} use: the ones this process saw within the last second,
     * the others fetched (or created) in one pipelined round of {@code incr 0} within {@code deadline}.
     *
     * @throws io.cachekit.CacheBackendException when a counter cannot be read (a {@link
     *     io.cachekit.CacheTimeoutException} when out of time)
     */
    public Map<String, Long> forWrite(String operation, Collection<String> generationKeys, long deadline) {
        Map<String, Long> current = new HashMap<>();
        List<String> toFetch = new ArrayList<>();
        long now = System.nanoTime();
        for (String generationKey : generationKeys) {
            Long generation = generations.reusable(generationKey, now);
            if (generation != null) {
                current.put(generationKey, generation);
            } else {
                toFetch.add(generationKey);
            }
        }
        if (toFetch.isEmpty()) {
            return current;
        }
        List<Command> reads = new ArrayList<>(toFetch.size());
        for (String generationKey : toFetch) {
            reads.add(increment(generationKey, 0));
        }
        long askedAt = System.nanoTime();
        List<Object> results = pipeline.send(operation, reads, deadline);
        for (int i = 0; i < results.size(); i++) {
            long generation = generation(operation, results.get(i));
            generations.saw(toFetch.get(i), generation, askedAt);
            current.put(toFetch.get(i), generation);
        }
        return current;
    }

    /**
     * Fetches the generation at {@code generationKey} with an {@code incr} by 0, creating a missing counter.
     *
     * @throws io.cachekit.CacheBackendException when the counter cannot be read
     */
    public long create(String operation, String generationKey, long deadline) {
        long askedAt = System.nanoTime();
        long generation = generation(
                operation,
                pipeline.send(operation, List.of(increment(generationKey, 0)), deadline)
                        .get(0));
        generations.saw(generationKey, generation, askedAt);
        return generation;
    }

    /**
     * Increments each of {@code generationKeys} (a namespace's counters, one per server, in the order of {@code
     * servers}) in one pipelined round within {@code deadline}, and records the new generations. When a server
     * fails, the others are still advanced, and the call then fails naming the servers whose entries may still
     * be read.
     *
     * @throws io.cachekit.CacheBackendException when a counter could not be advanced (a {@link
     *     io.cachekit.CacheTimeoutException} when out of time)
     */
    public void advance(String namespace, String[] generationKeys, List<String> servers, long deadline) {
        List<Command> increments = new ArrayList<>(generationKeys.length);
        for (String generationKey : generationKeys) {
            increments.add(increment(generationKey, 1));
        }
        long askedAt = System.nanoTime();
        List<Object> results = pipeline.send("clear", increments, deadline);
        List<String> failed = new ArrayList<>();
        CacheBackendException firstError = null;
        for (int i = 0; i < results.size(); i++) {
            Object result = results.get(i);
            if (result instanceof Long generation) {
                generations.saw(generationKeys[i], generation, askedAt);
            } else {
                generations.saw(generationKeys[i], null, askedAt);
                failed.add(servers.get(i));
                if (firstError == null) {
                    firstError = result instanceof RuntimeException e
                            ? errors.map("clear", e)
                            : errors.failure("clear", "unexpected answer " + result);
                }
            }
        }
        if (firstError != null) {
            String message = "memcached clear of namespace '" + namespace + "' could not advance its generation on "
                    + String.join(", ", failed) + " (entries stored there may still be read): "
                    + firstError.getMessage();
            throw firstError instanceof CacheTimeoutException
                    ? new CacheTimeoutException(message, firstError)
                    : new CacheBackendException(message, firstError);
        }
    }

    private long generation(String operation, Object result) {
        if (result instanceof RuntimeException e) {
            throw errors.map(operation, e);
        }
        if (!(result instanceof Long generation)) {
            throw errors.failure(operation, "unexpected answer to incr: " + result);
        }
        return generation;
    }
}
