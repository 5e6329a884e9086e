package io.cachekit.redis;

import io.cachekit.CacheBackendException;
import io.cachekit.CacheValueTooLargeException;
import io.cachekit.redis.internal.NamespaceUnlink;
import io.cachekit.redis.internal.RedisClientSettings;
import io.cachekit.redis.internal.RedisErrors;
import io.cachekit.redis.internal.RedisKeys;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.spi.Ttls;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis backend, on Lettuce: one server or a Redis Cluster, through one shared connection.
 *
 * <h2>Storage</h2>
 *
 * An entry is the Redis string {@code <namespace>:<key>} (the key in UTF-8) holding the value's bytes
 * unchanged. A TTL is Redis's own ({@code SET ... PX}, rounded up to whole milliseconds); a {@code null}
 * TTL writes no expiry and removes any earlier one. Redis expires entries by its own clock, not by the
 * context's clock. {@link #getMany} is one {@code MGET} (on a Cluster, one per hash slot, which Lettuce
 * splits and routes); {@link #setMany} pipelines one {@code SET ... PX} per entry, each routed to the node
 * of its slot. {@link #clear} iterates {@code SCAN MATCH <namespace>:* COUNT n} and removes each page with
 * {@code UNLINK}, on every master of a Cluster; it never uses {@code KEYS} or {@code FLUSHDB}.
 *
 * <h2>Timeouts and errors</h2>
 *
 * Every Redis command is bounded by the context's operation timeout; {@link #clear} sends several, each so
 * bounded. A command that times out fails with {@link io.cachekit.CacheTimeoutException}; any other failure
 * (refused or lost connection, server error, a value over {@link RedisBackendOptions#maxValueBytes()}) with
 * {@link CacheBackendException}. While the connection to a standalone server is down, commands fail at
 * once rather than queue, and Lettuce reconnects in the background (backing off to at most 1 s between
 * attempts with the backend's own client resources). On a Cluster, a command to a node whose connection is
 * opening or reopening waits for it, within the same timeout. Messages never contain credentials.
 *
 * <h2>Threads</h2>
 *
 * Thread-safe. The async methods never block: their futures complete on Lettuce's I/O threads, so code
 * chained on them must not block. The sync methods wait for the same futures. On a Cluster, {@link #clear}
 * sends each SCAN after the first from the context's executor: Lettuce 6 opens a node's connection for a
 * cluster SCAN by blocking the thread that sends it.
 */
public final class RedisBackend implements CacheBackend {
    private static final Logger log = LoggerFactory.getLogger(RedisBackend.class);

    /** A TTL this long or longer is written without expiry: Redis would reject it as out of range. */
    private static final Duration LONGEST_TTL = Duration.ofMillis(Long.MAX_VALUE / 4);

    /** How much longer than the command timeout a sync call waits before it gives up on its own. */
    private static final long BACKSTOP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final RedisBackendOptions options;
    private final Duration timeout;
    private final RedisErrors errors;
    private final ClientResources ownResources;
    private final AbstractRedisClient client;
    private final StatefulConnection<byte[], byte[]> connection;
    private final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final NamespaceUnlink namespaceUnlink;

    /**
     * Connects to the server or Cluster of {@code options}; commands time out after the context's operation
     * timeout.
     *
     * @throws CacheBackendException when the server cannot be reached or refuses the credentials
     */
    public RedisBackend(RedisBackendOptions options, BackendContext context) {
        this.options = Objects.requireNonNull(options, "options");
        this.timeout = Objects.requireNonNull(context, "context").operationTimeout();
        this.errors = new RedisErrors(options.target(), timeout, RedisClientSettings.password(options.nodes()));
        this.ownResources = options.clientResources() == null ? RedisClientSettings.newResources() : null;
        ClientResources resources = ownResources != null ? ownResources : options.clientResources();
        List<RedisURI> nodes = options.nodes().stream()
                .map(node -> RedisURI.builder(node)
                        .withTimeout(timeout)
                        .withClientName(options.clientName())
                        .build())
                .toList();
        AbstractRedisClient created = null;
        try {
            if (options.cluster()) {
                RedisClusterClient clusterClient = RedisClusterClient.create(resources, nodes);
                created = clusterClient;
                clusterClient.setOptions(RedisClientSettings.clusterOptions(timeout, options.connectTimeout()));
                StatefulRedisClusterConnection<byte[], byte[]> c = clusterClient.connect(ByteArrayCodec.INSTANCE);
                this.connection = c;
                this.commands = c.async();
            } else {
                RedisClient redisClient = RedisClient.create(resources);
                created = redisClient;
                redisClient.setOptions(RedisClientSettings.standaloneOptions(timeout, options.connectTimeout()));
                StatefulRedisConnection<byte[], byte[]> c = redisClient.connect(ByteArrayCodec.INSTANCE, nodes.get(0));
                this.connection = c;
                this.commands = c.async();
            }
        } catch (RuntimeException e) {
            shutDown(created);
            throw errors.connectFailure(e);
        }
        this.client = created;
        // A Cluster's next SCAN is sent from Cachekit's executor, never from Lettuce's I/O thread (NamespaceUnlink).
        this.namespaceUnlink =
                new NamespaceUnlink(commands, options.scanCount(), options.cluster() ? context.executor() : null);
        log.debug("Connected to {}", options.target());
    }

    /** {@code redis}. */
    @Override
    public String name() {
        return "redis";
    }

    /** The options this backend was created with. */
    public RedisBackendOptions options() {
        return options;
    }

    // The sync methods of the hot path wait for Lettuce's own future: no mapped copy of it is made.

    @Override
    public byte[] get(String namespace, String key) {
        byte[] storedKey = RedisKeys.key(namespace, key);
        checkOpen("get");
        return await("get", () -> commands.get(storedKey).toCompletableFuture());
    }

    @Override
    public void set(String namespace, String key, byte[] value, Duration ttl) {
        byte[] storedKey = RedisKeys.key(namespace, key);
        Objects.requireNonNull(value, "value");
        SetArgs expiry = expiry(ttl);
        checkOpen("set");
        if (value.length > options.maxValueBytes()) {
            throw tooLarge(value.length);
        }
        await("set", () -> write(storedKey, value, expiry));
    }

    @Override
    public byte[] setIfAbsent(String namespace, String key, byte[] value, Duration ttl) {
        return await("setIfAbsent", () -> setIfAbsentAsync(namespace, key, value, ttl));
    }

    /** {@code SET NX}: atomic; when it does not write, the entry in the way is read and returned. */
    @Override
    public CompletableFuture<byte[]> setIfAbsentAsync(String namespace, String key, byte[] value, Duration ttl) {
        byte[] storedKey = RedisKeys.key(namespace, key);
        Objects.requireNonNull(value, "value");
        SetArgs args = expiry(ttl);
        SetArgs conditional = args == null ? SetArgs.Builder.nx() : args.nx();
        if (closed.get()) {
            return CompletableFuture.failedFuture(errors.closed("setIfAbsent"));
        }
        if (value.length > options.maxValueBytes()) {
            return CompletableFuture.failedFuture(tooLarge(value.length));
        }
        return mapErrors("setIfAbsent", () -> setIfAbsent(storedKey, value, conditional, 3));
    }

    private CompletableFuture<byte[]> setIfAbsent(byte[] storedKey, byte[] value, SetArgs args, int attempts) {
        return commands.set(storedKey, value, args).toCompletableFuture().thenCompose(ok -> {
            if (ok != null) {
                return CompletableFuture.completedFuture(null);
            }
            return commands.get(storedKey).toCompletableFuture().thenCompose(existing -> {
                if (existing != null) {
                    return CompletableFuture.completedFuture(existing);
                }
                if (attempts <= 1) {
                    // Null would say "written": the key kept expiring between SET NX and GET, so say so.
                    return CompletableFuture.failedFuture(new CacheBackendException("redis setIfAbsent on "
                            + options.target() + ": the key changed under every attempt; nothing was written"));
                }
                return setIfAbsent(storedKey, value, args, attempts - 1); // expired in between: try again
            });
        });
    }

    @Override
    public void delete(String namespace, String key) {
        byte[] storedKey = RedisKeys.key(namespace, key);
        checkOpen("delete");
        await("delete", () -> commands.unlink(storedKey).toCompletableFuture());
    }

    private void checkOpen(String operation) {
        if (closed.get()) {
            throw errors.closed(operation);
        }
    }

    @Override
    public void clear(String namespace) {
        // Not bounded as a whole: each of its SCAN and UNLINK commands is, and a large namespace takes many.
        awaitUnbounded("clear", clearAsync(namespace));
    }

    @Override
    public Map<String, byte[]> getMany(String namespace, Collection<String> keys) {
        return await("getMany", () -> getManyAsync(namespace, keys));
    }

    @Override
    public void setMany(String namespace, Map<String, byte[]> entries, Duration ttl) {
        await("setMany", () -> setManyAsync(namespace, entries, ttl));
    }

    @Override
    public CompletableFuture<byte[]> getAsync(String namespace, String key) {
        byte[] storedKey = RedisKeys.key(namespace, key);
        if (closed.get()) {
            return CompletableFuture.failedFuture(errors.closed("get"));
        }
        return mapErrors("get", () -> commands.get(storedKey).toCompletableFuture());
    }

    @Override
    public CompletableFuture<Void> setAsync(String namespace, String key, byte[] value, Duration ttl) {
        byte[] storedKey = RedisKeys.key(namespace, key);
        Objects.requireNonNull(value, "value");
        SetArgs expiry = expiry(ttl);
        if (closed.get()) {
            return CompletableFuture.failedFuture(errors.closed("set"));
        }
        if (value.length > options.maxValueBytes()) {
            return CompletableFuture.failedFuture(tooLarge(value.length));
        }
        return mapErrors("set", () -> write(storedKey, value, expiry).thenApply(ok -> null));
    }

    @Override
    public CompletableFuture<Void> deleteAsync(String namespace, String key) {
        byte[] storedKey = RedisKeys.key(namespace, key);
        if (closed.get()) {
            return CompletableFuture.failedFuture(errors.closed("delete"));
        }
        return mapErrors(
                "delete", () -> commands.unlink(storedKey).toCompletableFuture().thenApply(n -> (Void) null));
    }

    @Override
    public CompletableFuture<Void> clearAsync(String namespace) {
        byte[] pattern = RedisKeys.pattern(Objects.requireNonNull(namespace, "namespace"));
        if (closed.get()) {
            return CompletableFuture.failedFuture(errors.closed("clear"));
        }
        return mapErrors("clear", () -> namespaceUnlink.unlinkAll(pattern));
    }

    @Override
    public CompletableFuture<Map<String, byte[]>> getManyAsync(String namespace, Collection<String> keys) {
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(keys));
        byte[][] storedKeys = new byte[distinct.size()][];
        for (int i = 0; i < storedKeys.length; i++) {
            storedKeys[i] = RedisKeys.key(namespace, distinct.get(i));
        }
        if (closed.get()) {
            return CompletableFuture.failedFuture(errors.closed("getMany"));
        }
        if (storedKeys.length == 0) {
            return CompletableFuture.completedFuture(new HashMap<>());
        }
        return mapErrors(
                "getMany", () -> commands.mget(storedKeys).toCompletableFuture().thenApply(values -> {
                    // MGET answers in the order of the keys asked, on a Cluster too.
                    Map<String, byte[]> found = new HashMap<>();
                    for (int i = 0; i < values.size(); i++) {
                        KeyValue<byte[], byte[]> kv = values.get(i);
                        if (kv.hasValue()) {
                            found.put(distinct.get(i), kv.getValue());
                        }
                    }
                    return found;
                }));
    }

    @Override
    public CompletableFuture<Void> setManyAsync(String namespace, Map<String, byte[]> entries, Duration ttl) {
        SetArgs expiry = expiry(ttl);
        List<byte[]> storedKeys = new ArrayList<>(entries.size());
        List<byte[]> values = new ArrayList<>(entries.size());
        for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
            byte[] value = Objects.requireNonNull(entry.getValue(), "value");
            if (value.length > options.maxValueBytes()) {
                return CompletableFuture.failedFuture(tooLarge(value.length));
            }
            storedKeys.add(RedisKeys.key(namespace, entry.getKey()));
            values.add(value);
        }
        if (closed.get()) {
            return CompletableFuture.failedFuture(errors.closed("setMany"));
        }
        if (storedKeys.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return mapErrors("setMany", () -> {
            // Async commands are pipelined: all SETs are written before the first reply is awaited.
            CompletableFuture<?>[] writes = new CompletableFuture<?>[storedKeys.size()];
            for (int i = 0; i < writes.length; i++) {
                writes[i] = write(storedKeys.get(i), values.get(i), expiry);
            }
            return CompletableFuture.allOf(writes);
        });
    }

    private CompletableFuture<String> write(byte[] storedKey, byte[] value, SetArgs expiry) {
        return (expiry == null ? commands.set(storedKey, value) : commands.set(storedKey, value, expiry))
                .toCompletableFuture();
    }

    /** {@code PX} rounded up to whole milliseconds, or null (no expiry) for a null or out-of-range TTL. */
    private static SetArgs expiry(Duration ttl) {
        return Ttls.isNever(ttl, LONGEST_TTL) ? null : SetArgs.Builder.px(Ttls.millisRoundedUp(ttl));
    }

    private CacheValueTooLargeException tooLarge(long size) {
        return new CacheValueTooLargeException("redis set on " + options.target() + ": value of " + size
                + " bytes exceeds maxValueBytes " + options.maxValueBytes());
    }

    /** Runs {@code command} and maps its failure, whether thrown at once or reported by the future. */
    private <T> CompletableFuture<T> mapErrors(String operation, CommandCall<T> command) {
        CompletableFuture<T> future;
        try {
            future = command.call();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(errors.map(operation, e));
        }
        return future.handle((value, error) -> {
            if (error != null) {
                throw errors.map(operation, error);
            }
            return value;
        });
    }

    /** A Lettuce call that may throw before it returns a future. */
    @FunctionalInterface
    private interface CommandCall<T> {
        CompletableFuture<T> call();
    }

    /**
     * Starts {@code command} and waits for its future. Lettuce times out each command itself, and this wait is
     * a backstop; failures, thrown at once or reported by the future, are mapped here.
     */
    private <T> T await(String operation, CommandCall<T> command) {
        CompletableFuture<T> future;
        try {
            future = command.call();
        } catch (RuntimeException e) {
            throw errors.map(operation, e);
        }
        try {
            return future.get(timeout.toNanos() + BACKSTOP_NANOS, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw errors.map(operation, e.getCause());
        } catch (TimeoutException e) {
            future.cancel(false);
            throw errors.timeout(operation);
        } catch (InterruptedException e) {
            throw interrupted(operation, future, e);
        }
    }

    private <T> void awaitUnbounded(String operation, CompletableFuture<T> future) {
        try {
            future.get();
        } catch (ExecutionException e) {
            throw errors.map(operation, e.getCause());
        } catch (InterruptedException e) {
            throw interrupted(operation, future, e);
        }
    }

    private CacheBackendException interrupted(String operation, CompletableFuture<?> future, InterruptedException e) {
        Thread.currentThread().interrupt();
        future.cancel(false);
        return new CacheBackendException("redis " + operation + " on " + options.target() + " was interrupted", e);
    }

    /**
     * Returns this backend, its Lettuce connection ({@link StatefulRedisConnection} or {@link
     * StatefulRedisClusterConnection}), its async commands or its client ({@link RedisClient} or {@link
     * RedisClusterClient}), whichever is of {@code type}.
     *
     * @throws IllegalArgumentException if none is
     */
    @Override
    public <T> T unwrap(Class<T> type) {
        for (Object candidate : new Object[] {this, connection, commands, client}) {
            if (type.isInstance(candidate)) {
                return type.cast(candidate);
            }
        }
        throw new IllegalArgumentException("redis backend cannot be unwrapped to " + type.getName());
    }

    /** Closes the connection and the client, and the client resources unless they were shared. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            connection.close();
        } finally {
            shutDown(client);
        }
        log.debug("Closed connection to {}", options.target());
    }

    private void shutDown(AbstractRedisClient redisClient) {
        try {
            if (redisClient != null) {
                redisClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        } finally {
            if (ownResources != null) {
                try {
                    ownResources.shutdown(0, 2, TimeUnit.SECONDS).get();
                } catch (ExecutionException e) {
                    log.warn("Shutting down Lettuce resources of {} failed", options.target(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    log.warn("Interrupted while shutting down Lettuce resources of {}", options.target());
                }
            }
        }
    }

    @Override
    public String toString() {
        return "RedisBackend{" + options.target() + "}";
    }
}
