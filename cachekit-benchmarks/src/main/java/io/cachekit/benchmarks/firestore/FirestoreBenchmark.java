package io.cachekit.benchmarks.firestore;

import static io.cachekit.benchmarks.ReadWriteKeys.KEY_COUNT;
import static io.cachekit.benchmarks.ReadWriteKeys.expect;
import static io.cachekit.benchmarks.ReadWriteKeys.readKey;

import com.google.api.core.ApiFuture;
import com.google.cloud.Timestamp;
import com.google.cloud.firestore.Blob;
import com.google.cloud.firestore.CollectionReference;
import com.google.cloud.firestore.DocumentSnapshot;
import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.FirestoreOptions;
import com.google.cloud.firestore.WriteResult;
import io.cachekit.AsyncCache;
import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.benchmarks.ReadWriteKeys;
import io.cachekit.benchmarks.report.ReportRow;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cachekit's Firestore backend against the raw Firestore client doing the same document get and set of the
 * same bytes on the same emulator.
 *
 * <p>The emulator is the one {@code scripts/servers/firestore.sh start} runs ({@code 127.0.0.1:8700}); the
 * system property {@code cachekit.firestore.host} points elsewhere. Each subject has one client (one gRPC
 * channel) and a collection of its own, and uses the same keys ({@code user:<n>}, 1,024 of them) and values
 * (100-character strings, stored as their UTF-8 bytes in a Blob field: no JSON on either side). The raw client
 * writes what an application would write by hand: the key as document id, a {@code value} Blob and an {@code
 * expiresAt} Timestamp ten minutes ahead; it reads the document and decodes the Blob. Cachekit also writes
 * the namespace field, hashes the key into the document id, and wraps the value in its 12-byte envelope.
 * Reads walk pre-written keys; writes cycle over another 1,024 keys.
 *
 * <p>Sync rows make one call per invocation from each of the four threads. Async rows start {@value #BATCH}
 * calls, then wait for them all; JMH counts each call. Setup checks that every measured read is a hit, and
 * teardown fails the run if one was not.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(4)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class FirestoreBenchmark {
    static final int BATCH = 16;
    static final Duration TTL = Duration.ofMinutes(10);
    static final String VALUE = "v".repeat(100);

    static final String HOST = System.getProperty("cachekit.firestore.host", "127.0.0.1:8700");
    static final String PROJECT = "demo-bench";

    // ---------------------------------------------------------------- Cachekit rows

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` (Firestore backend)",
            baseline = "firestoreGet",
            atLeast = 0.9,
            target = "Cachekit get on Firestore >= 0.9 x raw client document get")
    public String cachekitGet(CachekitState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextRead(), String.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.set` (Firestore backend)",
            baseline = "firestoreSet",
            atLeast = 0.9,
            target = "Cachekit set on Firestore >= 0.9 x raw client document set")
    public void cachekitSet(CachekitState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextWrite(), VALUE, TTL);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ReportRow(
            label = "Cachekit `AsyncCache.get` (Firestore backend, " + BATCH + " in flight per thread)",
            baseline = "firestoreAsyncGet",
            atLeast = 0.9,
            target = "Cachekit async get on Firestore >= 0.9 x raw client async document get")
    public void cachekitAsyncGet(CachekitState state, ReadWriteKeys keys, Blackhole blackhole) {
        CompletableFuture<?>[] calls = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++) {
            calls[i] = state.async.get(keys.nextRead(), String.class);
        }
        for (CompletableFuture<?> call : calls) {
            blackhole.consume(call.join());
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ReportRow(
            label = "Cachekit `AsyncCache.set` (Firestore backend, " + BATCH + " in flight per thread)",
            baseline = "firestoreAsyncSet",
            atLeast = 0.9,
            target = "Cachekit async set on Firestore >= 0.9 x raw client async document set")
    public void cachekitAsyncSet(CachekitState state, ReadWriteKeys keys) {
        CompletableFuture<?>[] calls = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++) {
            calls[i] = state.async.set(keys.nextWrite(), VALUE, TTL);
        }
        CompletableFuture.allOf(calls).join();
    }

    // ---------------------------------------------------------------- raw client rows

    @Benchmark
    @ReportRow(label = "Raw Firestore client document get")
    public String firestoreGet(RawState state, ReadWriteKeys keys) throws Exception {
        return state.read(await(state.documents.document(keys.nextRead()).get()));
    }

    @Benchmark
    @ReportRow(label = "Raw Firestore client document set")
    public WriteResult firestoreSet(RawState state, ReadWriteKeys keys) throws Exception {
        return await(state.documents.document(keys.nextWrite()).set(state.fields()));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ReportRow(label = "Raw Firestore client async document get (" + BATCH + " in flight per thread)")
    public void firestoreAsyncGet(RawState state, ReadWriteKeys keys, Blackhole blackhole) throws Exception {
        List<ApiFuture<DocumentSnapshot>> calls = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            calls.add(state.documents.document(keys.nextRead()).get());
        }
        for (ApiFuture<DocumentSnapshot> call : calls) {
            blackhole.consume(state.read(await(call)));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ReportRow(label = "Raw Firestore client async document set (" + BATCH + " in flight per thread)")
    public void firestoreAsyncSet(RawState state, ReadWriteKeys keys, Blackhole blackhole) throws Exception {
        List<ApiFuture<WriteResult>> calls = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            calls.add(state.documents.document(keys.nextWrite()).set(state.fields()));
        }
        for (ApiFuture<WriteResult> call : calls) {
            blackhole.consume(await(call));
        }
    }

    /** Waits as the backend does: for at most its timeout. */
    static <T> T await(ApiFuture<T> call) throws ExecutionException, InterruptedException, TimeoutException {
        return call.get(5, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- subjects

    /** Cachekit on its Firestore backend, collection and namespace {@code bench-cachekit}. */
    @State(Scope.Benchmark)
    public static class CachekitState {
        Cache cache;
        AsyncCache async;
        private long missesAfterSetup;

        @Setup(Level.Trial)
        public void setUp() {
            cache = Cachekit.fromUri("firestore://" + PROJECT + "?emulatorHost=" + HOST
                    + "&collection=bench-cachekit&namespace=bench-cachekit&timeout=5s");
            async = cache.async();
            missesAfterSetup = ReadWriteKeys.populate(cache, VALUE, TTL);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                ReadWriteKeys.expectNoMissOrError(cache, missesAfterSetup);
            } finally {
                cache.close();
            }
        }
    }

    /** The raw client on the same emulator, collection {@code bench-raw}, the key as document id. */
    @State(Scope.Benchmark)
    public static class RawState {
        private Firestore client;
        CollectionReference documents;
        private final Blob value = Blob.fromBytes(VALUE.getBytes(StandardCharsets.UTF_8));
        private final LongAdder missed = new LongAdder();

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            client = FirestoreOptions.newBuilder()
                    .setProjectId(PROJECT)
                    .setEmulatorHost(HOST)
                    .build()
                    .getService();
            documents = client.collection("bench-raw");
            for (int i = 0; i < KEY_COUNT; i++) {
                await(documents.document(readKey(i)).set(fields()));
            }
            for (int i = 0; i < KEY_COUNT; i++) {
                expect(VALUE, read(await(documents.document(readKey(i)).get())), "the raw get of " + readKey(i));
            }
            missed.reset();
        }

        /** What an application writes by hand: the value's bytes and a TTL-policy timestamp. */
        Map<String, Object> fields() {
            Instant expiry = Instant.now().plus(TTL);
            return Map.of(
                    "value",
                    value,
                    "expiresAt",
                    Timestamp.ofTimeSecondsAndNanos(expiry.getEpochSecond(), expiry.getNano()));
        }

        /** The value of a document that has not expired, as an application reads it by hand. */
        String read(DocumentSnapshot document) {
            Timestamp expiresAt = document.getTimestamp("expiresAt");
            Blob blob = document.getBlob("value");
            if (blob == null || expiresAt == null || expiresAt.compareTo(Timestamp.now()) <= 0) {
                missed.increment();
                return null;
            }
            return new String(blob.toBytes(), StandardCharsets.UTF_8);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            try {
                if (missed.sum() != 0) {
                    throw new IllegalStateException("A measured raw get missed");
                }
            } finally {
                client.close();
            }
        }
    }
}
