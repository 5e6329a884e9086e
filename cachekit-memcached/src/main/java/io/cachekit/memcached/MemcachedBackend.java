package io.cachekit.memcached;

import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.CacheValueTooLargeException;
import io.cachekit.StoreUnreachableException;
import io.cachekit.memcached.MemcachedBackendOptions.Server;
import io.cachekit.memcached.internal.ClientSetup;
import io.cachekit.memcached.internal.EntryReads;
import io.cachekit.memcached.internal.GenerationCounters;
import io.cachekit.memcached.internal.Generations;
import io.cachekit.memcached.internal.MemcachedErrors;
import io.cachekit.memcached.internal.MemcachedKeys;
import io.cachekit.memcached.internal.Pipeline;
import io.cachekit.memcached.internal.RawBytesTranscoder;
import io.cachekit.memcached.internal.StoredEntry;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.BlockingCacheBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import net.rubyeye.xmemcached.CommandFactory;
import net.rubyeye.xmemcached.GetsResponse;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.command.BinaryCommandFactory;
import net.rubyeye.xmemcached.command.Command;
import net.rubyeye.xmemcached.exception.MemcachedException;
import net.rubyeye.xmemcached.impl.KetamaMemcachedSessionLocator;
import net.rubyeye.xmemcached.networking.ClosedMemcachedSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Memcached backend, on xmemcached: one or several servers, keys spread by ketama consistent hashing, the
 * binary protocol.
 *
 * <h2>Storage</h2>
 *
 * An entry is the memcached item {@code namespace:key} when the key is printable ASCII without spaces and fits
 * memcached's 250-byte limit, else {@code namespace#<SHA-256 of namespace:key>}. The item holds a 10-byte header
 * with the namespace's generation, then the bytes Cachekit hands the backend ({@code StoredEntry}). TTLs are
 * memcached's own: whole seconds rounded up (at least 1), sent as an absolute Unix time beyond 30 days.
 *
 * <h2>clear</h2>
 *
 * {@link #clear} never flushes a server and never lists keys: it increments the namespace's generation counter
 * on every server (one pipelined {@code incr} per server), then waits {@link
 * MemcachedBackendOptions#generationReuse()} (one second by default; the async form waits on a timer). An entry
 * is returned only when its recorded generation is its server's current one. A get whose generation this
 * process asked for within the reuse time fetches the entry alone, a plain one-key get; otherwise it fetches the
 * entry and its server's counter in one multi-get to that server. As clear waits out the reuse time, after it
 * returns no process reads an entry written before it. Older entries stay in memory until their TTL ends or
 * memcached evicts them. See {@code Generations} for the details, including what happens when a counter is
 * evicted.
 *
 * <h2>Timeouts and errors</h2>
 *
 * Every memcached call is bounded by the context's operation timeout, and one operation's calls share that
 * deadline. A call that times out fails with {@link CacheTimeoutException} and its command is cancelled; a value
 * over {@link MemcachedBackendOptions#maxValueBytes()} or over the server's item limit with {@link
 * CacheValueTooLargeException}; any other failure (a server down, a server error) with {@link
 * CacheBackendException}. A server that goes down keeps its place on the ring (xmemcached's failure
 * mode): its keys fail at once while the others keep working, and it is used again once xmemcached has
 * reconnected. Messages never contain the password.
 *
 * <h2>Threads</h2>
 *
 * Thread-safe. xmemcached has no future-based API, so the async methods run the sync ones on the context's
 * bounded executor ({@link BlockingCacheBackend}); {@link #clearAsync} runs its increments there and waits the
 * reuse time on a timer.
 */
public final class MemcachedBackend extends BlockingCacheBackend {
    private static final Logger log = LoggerFactory.getLogger(MemcachedBackend.class);

    /** How many conditional writes one {@link #setIfAbsent} tries, each lost to another writer, before it fails. */
    private static final int SET_IF_ABSENT_ATTEMPTS = 10;

    private final MemcachedBackendOptions options;
    private final MemcachedClient client;
    private final CommandFactory commands;
    private final KetamaMemcachedSessionLocator locator;
    private final Map<InetSocketAddress, Integer> serverIndex;
    private final Generations generations;
    private final Pipeline pipeline;
    private final GenerationCounters counters;
    private final EntryReads reads;
    private final MemcachedErrors errors;
    private final long timeoutNanos;
    private final long timeoutMillis;
    private final Duration generationReuse;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Connects to the servers of {@code options}; calls time out after the context's operation timeout.
     *
     * @throws StoreUnreachableException when no server accepts a connection
     * @throws CacheBackendException when the client cannot be started
     */
    public MemcachedBackend(MemcachedBackendOptions options, BackendContext context) {
        super(context);
        this.options = Objects.requireNonNull(options, "options");
        Duration timeout = context.operationTimeout();
        this.timeoutNanos = timeout.toNanos();
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.errors = new MemcachedErrors(targetServers(options), timeout, options.password());
        List<InetSocketAddress> addresses = new ArrayList<>();
        Map<InetSocketAddress, Integer> index = new HashMap<>();
        for (Server server : options.servers()) {
            InetSocketAddress address = new InetSocketAddress(server.host(), server.port());
            index.putIfAbsent(address, addresses.size());
            addresses.add(address);
        }
        if (index.size() != addresses.size()) {
            throw new IllegalArgumentException(
                    "Two of the memcached servers are the same address: " + targetServers(options));
        }
        this.serverIndex = Map.copyOf(index);
        this.locator = new KetamaMemcachedSessionLocator();
        this.commands = new BinaryCommandFactory();

        MemcachedClient created;
        try {
            created = ClientSetup.build(options, addresses, commands, locator, timeoutMillis);
        } catch (IOException | RuntimeException e) {
            throw errors.map("connect", e);
        }
        if (created.getConnector().getSessionSet().stream().allMatch(session -> session.isClosed())) {
            shutDown(created);
            throw new StoreUnreachableException(
                    "memcached on " + targetServers(options) + ": no server accepts connections");
        }
        this.client = created;
        this.generationReuse = options.generationReuse();
        this.generations = new Generations(addresses.size(), this::serverOf, generationReuse.toNanos());
        this.pipeline = new Pipeline(created, errors);
        this.counters = new GenerationCounters(commands, pipeline, generations, errors);
        this.reads = new EntryReads(created, generations, errors, timeoutNanos);
        log.debug("Connected to {}", options.target());
    }

    private static String targetServers(MemcachedBackendOptions options) {
        return options.servers().stream().map(Server::toString).collect(Collectors.joining(","));
    }

    /** {@code memcached}. */
    @Override
    public String name() {
        return "memcached";
    }

    /** The options this backend was created with. */
    public MemcachedBackendOptions options() {
        return options;
    }

    /**
     * The index (in {@link MemcachedBackendOptions#servers()}) of the server that holds {@code storedKey} by the
     * ketama ring, or -1 when the ring is empty. For tests and diagnostics.
     */
    int serverOf(String storedKey) {
        var session = locator.getSessionByKey(storedKey);
        if (session instanceof ClosedMemcachedSession memcachedSession) {
            Integer i = serverIndex.get(
                    memcachedSession.getInetSocketAddressWrapper().getInetSocketAddress());
            if (i != null) {
                return i;
            }
        }
        if (session != null) {
            Integer i = serverIndex.get(session.getRemoteSocketAddress());
            if (i != null) {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- reads

    @Override
    public byte[] get(String namespace, String key) {
        String storedKey = MemcachedKeys.entry(namespace, key);
        checkOpen("get");
        return reads.get(storedKey, generationKeyOf("get", namespace, storedKey));
    }

    @Override
    public Map<String, byte[]> getMany(String namespace, Collection<String> keys) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(keys, "keys");
        checkOpen("getMany");
        Map<String, String> keyOf = new HashMap<>();
        Map<String, String> generationKeyOf = new LinkedHashMap<>();
        for (String key : keys) {
            String storedKey = MemcachedKeys.entry(namespace, key);
            if (keyOf.putIfAbsent(storedKey, key) == null) {
                generationKeyOf.put(storedKey, generationKeyOf("getMany", namespace, storedKey));
            }
        }
        Map<String, byte[]> result = new HashMap<>();
        if (!generationKeyOf.isEmpty()) {
            reads.getMany(generationKeyOf).forEach((storedKey, value) -> result.put(keyOf.get(storedKey), value));
        }
        return result;
    }

    // ---------------------------------------------------------------- writes

    @Override
    public void set(String namespace, String key, byte[] value, Duration ttl) {
        String storedKey = MemcachedKeys.entry(namespace, key);
        Objects.requireNonNull(value, "value");
        int expiry = MemcachedKeys.expiry(ttl, System.currentTimeMillis());
        checkOpen("set");
        checkSize("set", value);
        long deadline = System.nanoTime() + timeoutNanos;
        String generationKey = generationKeyOf("set", namespace, storedKey);
        Long reusable = generations.reusable(generationKey, System.nanoTime());
        long generation = reusable != null
                ? reusable
                : counters.forWrite("set", List.of(generationKey), deadline).get(generationKey);
        byte[] stored = StoredEntry.wrap(generation, value);
        try {
            if (!client.set(storedKey, expiry, stored, RawBytesTranscoder.INSTANCE, remainingMillis(deadline))) {
                throw errors.failure("set", "the server did not store the entry");
            }
        } catch (TimeoutException | InterruptedException | MemcachedException | RuntimeException e) {
            throw errors.map("set", e);
        }
    }

    /**
     * Stores {@code value} only when no live entry holds {@code key}, atomically with memcached's own conditional
     * writes, so that of concurrent callers in every process exactly one writes. One multi-get, sent to the entry's
     * server, reads the entry with its CAS value and the namespace's generation there (as {@link #get} does); then:
     *
     * <ul>
     *   <li>no entry: {@code add}, which stores nothing when another caller stored the key meanwhile;
     *   <li>an entry of the current generation: nothing is written and its bytes are returned (Cachekit checks
     *       the expiry in them, removes an expired one and tries again);
     *   <li>an entry of an older generation (cleared), or one whose generation counter is gone: it counts as
     *       absent, and is replaced with {@code cas} on the CAS value read, which stores nothing when another
     *       caller replaced or removed it meanwhile. A missing counter is first created, as a write does.
     * </ul>
     *
     * A conditional write that stores nothing means another caller won: the entry is read again, within the same
     * deadline.
     */
    @Override
    public byte[] setIfAbsent(String namespace, String key, byte[] value, Duration ttl) {
        String storedKey = MemcachedKeys.entry(namespace, key);
        Objects.requireNonNull(value, "value");
        int expiry = MemcachedKeys.expiry(ttl, System.currentTimeMillis());
        checkOpen("setIfAbsent");
        checkSize("setIfAbsent", value);
        long deadline = System.nanoTime() + timeoutNanos;
        String generationKey = generationKeyOf("setIfAbsent", namespace, storedKey);
        List<String> keys = List.of(storedKey, generationKey);
        for (int attempt = 1; ; attempt++) {
            long askedAt = System.nanoTime();
            Map<String, GetsResponse<byte[]>> found = reads.gets("setIfAbsent", keys, deadline);
            GetsResponse<byte[]> entry = found.get(storedKey);
            GetsResponse<byte[]> counter = found.get(generationKey);
            Long generation = Generations.parse(counter == null ? null : counter.getValue());
            generations.saw(generationKey, generation, askedAt);
            if (generation == null) {
                generation = counters.create("setIfAbsent", generationKey, deadline);
            }
            if (entry != null) {
                byte[] live = StoredEntry.read(entry.getValue(), generation);
                if (live != null) {
                    return live;
                }
                if (entry.getCas() == 0) {
                    // A binary set with CAS 0 is unconditional: it would overwrite a concurrent winner.
                    throw errors.failure(
                            "setIfAbsent",
                            "the server sent no CAS value (memcached run with -C?), so a cleared entry cannot be"
                                    + " replaced atomically");
                }
            }
            byte[] stored = StoredEntry.wrap(generation, value);
            boolean written;
            try {
                written = entry == null
                        ? client.add(storedKey, expiry, stored, RawBytesTranscoder.INSTANCE, remainingMillis(deadline))
                        : client.cas(
                                storedKey,
                                expiry,
                                stored,
                                RawBytesTranscoder.INSTANCE,
                                remainingMillis(deadline),
                                entry.getCas());
            } catch (TimeoutException | InterruptedException | MemcachedException | RuntimeException e) {
                throw errors.map("setIfAbsent", e);
            }
            if (written) {
                return null;
            }
            if (attempt >= SET_IF_ABSENT_ATTEMPTS) {
                throw errors.failure(
                        "setIfAbsent",
                        "the entry changed under each of " + SET_IF_ABSENT_ATTEMPTS + " conditional writes");
            }
            if (System.nanoTime() - deadline >= 0) {
                throw errors.timeout("setIfAbsent", null);
            }
        }
    }

    @Override
    public void setMany(String namespace, Map<String, byte[]> entries, Duration ttl) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(entries, "entries");
        int expiry = MemcachedKeys.expiry(ttl, System.currentTimeMillis());
        checkOpen("setMany");
        Map<String, byte[]> byStoredKey = new LinkedHashMap<>();
        Map<String, String> generationKeyOf = new HashMap<>();
        for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
            byte[] value = Objects.requireNonNull(entry.getValue(), "value");
            checkSize("setMany", value);
            String storedKey = MemcachedKeys.entry(namespace, entry.getKey());
            byStoredKey.put(storedKey, value);
            generationKeyOf.put(storedKey, generationKeyOf("setMany", namespace, storedKey));
        }
        if (byStoredKey.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        Map<String, Long> current =
                counters.forWrite("setMany", new LinkedHashSet<>(generationKeyOf.values()), deadline);
        List<Command> sets = new ArrayList<>(byStoredKey.size());
        byStoredKey.forEach((storedKey, value) -> sets.add(commands.createSetCommand(
                storedKey,
                storedKey.getBytes(StandardCharsets.UTF_8),
                expiry,
                StoredEntry.wrap(current.get(generationKeyOf.get(storedKey)), value),
                false,
                RawBytesTranscoder.INSTANCE)));
        List<Object> results = pipeline.send("setMany", sets, deadline);
        for (Object result : results) {
            if (result instanceof RuntimeException e) {
                throw errors.map("setMany", e);
            }
            if (!Boolean.TRUE.equals(result)) {
                throw errors.failure("setMany", "the server did not store an entry");
            }
        }
    }

    @Override
    public void delete(String namespace, String key) {
        String storedKey = MemcachedKeys.entry(namespace, key);
        checkOpen("delete");
        try {
            client.delete(storedKey, timeoutMillis);
        } catch (TimeoutException | InterruptedException | MemcachedException | RuntimeException e) {
            throw errors.map("delete", e);
        }
    }

    /**
     * Increments the namespace's generation on every server, in one pipelined round of {@code incr}s (a missing
     * counter is created with a fresh random value), then waits {@link MemcachedBackendOptions#generationReuse()}
     * before it returns, so that no process still reads with a generation it asked for before. When a server
     * fails, the others are still advanced, and the call fails at once, naming the servers whose entries may
     * still be read.
     */
    @Override
    public void clear(String namespace) {
        advance(namespace);
        if (generationReuse.isZero()) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(generationReuse.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw errors.failure(
                    "clear",
                    "interrupted after the generations of namespace '" + namespace + "' were advanced; other"
                            + " processes may read its old entries for up to " + generationReuse);
        }
    }

    /** {@link #clear} whose wait is on a timer, not a thread: only the increments run on the executor. */
    @Override
    public CompletableFuture<Void> clearAsync(String namespace) {
        CompletableFuture<Void> advanced = submit("clear", () -> {
            advance(namespace);
            return null;
        });
        if (generationReuse.isZero()) {
            return advanced;
        }
        // Only this future's completion runs on the JDK's timer thread; Cachekit hands it to its executor.
        Executor afterWait =
                CompletableFuture.delayedExecutor(generationReuse.toNanos(), TimeUnit.NANOSECONDS, Runnable::run);
        return advanced.thenCompose(v -> CompletableFuture.runAsync(() -> {}, afterWait));
    }

    /** Increments the namespace's generation on every server, learning the new ones; the first part of clear. */
    private void advance(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        checkOpen("clear");
        String[] generationKeys;
        try {
            generationKeys = generations.keys(namespace);
        } catch (IllegalStateException e) {
            throw errors.map("clear", e);
        }
        List<String> servers = options.servers().stream().map(Server::toString).toList();
        counters.advance(namespace, generationKeys, servers, System.nanoTime() + timeoutNanos);
    }

    // ---------------------------------------------------------------- helpers

    private String generationKeyOf(String operation, String namespace, String storedKey) {
        int server = serverOf(storedKey);
        if (server < 0) {
            throw errors.failure(operation, "no server on the ring");
        }
        try {
            return generations.keys(namespace)[server];
        } catch (IllegalStateException e) {
            throw errors.map(operation, e);
        }
    }

    private void checkSize(String operation, byte[] value) {
        if (value.length > options.maxValueBytes()) {
            throw errors.tooLarge(
                    operation,
                    "value of " + value.length + " bytes is over the limit of " + options.maxValueBytes()
                            + " bytes (maxValueBytes; memcached's item size is 1 MiB unless the server runs with"
                            + " -I); nothing was written");
        }
    }

    private static long remainingMillis(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    private void checkOpen(String operation) {
        if (closed.get()) {
            throw errors.failure(operation, "the backend is closed");
        }
    }

    /** Also unwraps to xmemcached's {@link MemcachedClient}, to reach what Cachekit does not wrap. */
    @Override
    public <T> T unwrap(Class<T> type) {
        if (type.isInstance(client)) {
            return type.cast(client);
        }
        return super.unwrap(type);
    }

    /** Shuts the xmemcached client down (its connections and threads). Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            shutDown(client);
        }
    }

    private static void shutDown(MemcachedClient client) {
        try {
            client.shutdown();
        } catch (IOException | RuntimeException e) {
            log.debug("Shutting down the memcached client failed", e);
        }
    }

    @Override
    public String toString() {
        return "MemcachedBackend{" + options.target() + "}";
    }
}
