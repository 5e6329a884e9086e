package io.cachekit.benchmarks.firestore;

import static io.cachekit.benchmarks.ReadWriteKeys.BATCH_KEYS;
import static io.cachekit.benchmarks.ReadWriteKeys.KEY_COUNT;
import static io.cachekit.benchmarks.ReadWriteKeys.TTL;
import static io.cachekit.benchmarks.ReadWriteKeys.expect;
import static io.cachekit.benchmarks.ReadWriteKeys.recordKey;
import static io.cachekit.benchmarks.ReadWriteKeys.stringKey;

import com.google.api.core.ApiFuture;
import com.google.cloud.Timestamp;
import com.google.cloud.firestore.Blob;
import com.google.cloud.firestore.CollectionReference;
import com.google.cloud.firestore.DocumentReference;
import com.google.cloud.firestore.DocumentSnapshot;
import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.FirestoreOptions;
import com.google.cloud.firestore.WriteBatch;
import com.google.cloud.firestore.WriteResult;
import io.cachekit.AsyncCache;
import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.benchmarks.Payloads;
import io.cachekit.benchmarks.ReadWriteKeys;
import io.cachekit.benchmarks.UserRecord;
import io.cachekit.benchmarks.report.Goal;
import io.cachekit.benchmarks.report.ReportRow;
import io.cachekit.firestore.FirestoreBackend;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cachekit's Firestore backend against the raw Firestore client doing the same document get and set of the same
 * bytes on the same emulator.
 *
 * <p>The emulator is the one {@code scripts/servers/firestore.sh start} runs ({@code 127.0.0.1:8700}); the system
 * property {@code cachekit.firestore.host} points elsewhere. Each side has one client (one gRPC channel), a
 * collection of its own ({@code bench-cachekit}, {@code bench-raw}), and the same retry settings: Cachekit's for a
 * five-second operation timeout (each RPC bounded by it, at most three attempts). The raw client writes what an
 * application writes by hand in Cachekit's layout: the key as document id, the namespace field, a {@code value}
 * Blob and an {@code expiresAt} Timestamp ten minutes ahead; it reads the document, checks the expiry and decodes
 * the Blob. The main value is the ~1 KB JSON record, encoded and decoded by Jackson on every raw call (the same
 * payload bytes as Cachekit's); a 100-character string is the second. Cachekit also hashes the key into the
 * document id and wraps the value in its 12-byte envelope. Both sides use the client's own futures for async
 * calls. Async rows start {@value #IN_FLIGHT} calls, then wait for them all; JMH counts each call. Setup checks
 * that every measured read is a hit, and teardown fails the run if one was not.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 2, time = 1)
public class FirestoreBenchmark {
    static final int IN_FLIGHT = 16;

    static final String HOST = System.getProperty("cachekit.firestore.host", "127.0.0.1:8700");
    static final String PROJECT = "demo-bench";

    // ---------------------------------------------------------------- Cachekit rows

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` of the ~1 KB JSON record (Firestore)",
            compareTo = "firestoreGet",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 13")},
            order = 10)
    public UserRecord cachekitGet(CachekitState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextRecordRead(), UserRecord.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.set` of the ~1 KB JSON record (Firestore)",
            compareTo = "firestoreSet",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 13")},
            order = 11)
    public void cachekitSet(CachekitState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextRecordWrite(), Payloads.RECORD, TTL);
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    @ReportRow(
            label = "Cachekit `AsyncCache.get` of the record (Firestore, " + IN_FLIGHT + " in flight)",
            compareTo = "firestoreAsyncGet",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 13")},
            threads = 1,
            order = 20)
    public void cachekitAsyncGet(CachekitState state, ReadWriteKeys keys, Blackhole blackhole) {
        CompletableFuture<?>[] calls = new CompletableFuture<?>[IN_FLIGHT];
        for (int i = 0; i < IN_FLIGHT; i++) {
            calls[i] = state.async.get(keys.nextRecordRead(), UserRecord.class);
        }
        for (CompletableFuture<?> call : calls) {
            blackhole.consume(call.join());
        }
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    @ReportRow(
            label = "Cachekit `AsyncCache.set` of the record (Firestore, " + IN_FLIGHT + " in flight)",
            compareTo = "firestoreAsyncSet",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 13")},
            threads = 1,
            order = 21)
    public void cachekitAsyncSet(CachekitState state, ReadWriteKeys keys) {
        CompletableFuture<?>[] calls = new CompletableFuture<?>[IN_FLIGHT];
        for (int i = 0; i < IN_FLIGHT; i++) {
            calls[i] = state.async.set(keys.nextRecordWrite(), Payloads.RECORD, TTL);
        }
        CompletableFuture.allOf(calls).join();
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` of a 100-character string (Firestore)",
            compareTo = "firestoreGetString",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 13")},
            threads = 1,
            order = 30)
    public String cachekitGetString(CachekitState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextStringRead(), String.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.set` of a 100-character string (Firestore)",
            compareTo = "firestoreSetString",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 13")},
            threads = 1,
            order = 31)
    public void cachekitSetString(CachekitState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextStringWrite(), Payloads.STRING, TTL);
    }

    // ---------------------------------------------------------------- raw client rows

    @Benchmark
    @ReportRow(label = "Raw Firestore client document get + Jackson")
    public UserRecord firestoreGet(RawState state, ReadWriteKeys keys) throws Exception {
        return state.checkHit(Payloads.decode(
                state.read(await(state.documents.document(keys.nextRecordRead()).get()))));
    }

    @Benchmark
    @ReportRow(
            label = "Raw Firestore client document get + Jackson, the same code again (control)",
            compareTo = "firestoreGet",
            control = true,
            threads = 1,
            order = 900)
    public UserRecord firestoreGetControl(RawState state, ReadWriteKeys keys) throws Exception {
        return firestoreGet(state, keys);
    }

    @Benchmark
    @ReportRow(label = "Raw Firestore client document set + Jackson")
    public WriteResult firestoreSet(RawState state, ReadWriteKeys keys) throws Exception {
        return await(
                state.documents.document(keys.nextRecordWrite()).set(state.fields(Payloads.encode(Payloads.RECORD))));
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    @ReportRow(label = "Raw Firestore client async document get + Jackson (" + IN_FLIGHT + " in flight)")
    public void firestoreAsyncGet(RawState state, ReadWriteKeys keys, Blackhole blackhole) throws Exception {
        List<ApiFuture<DocumentSnapshot>> calls = new ArrayList<>(IN_FLIGHT);
        for (int i = 0; i < IN_FLIGHT; i++) {
            calls.add(state.documents.document(keys.nextRecordRead()).get());
        }
        for (ApiFuture<DocumentSnapshot> call : calls) {
            blackhole.consume(state.checkHit(Payloads.decode(state.read(await(call)))));
        }
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    @ReportRow(label = "Raw Firestore client async document set + Jackson (" + IN_FLIGHT + " in flight)")
    public void firestoreAsyncSet(RawState state, ReadWriteKeys keys, Blackhole blackhole) throws Exception {
        List<ApiFuture<WriteResult>> calls = new ArrayList<>(IN_FLIGHT);
        for (int i = 0; i < IN_FLIGHT; i++) {
            calls.add(state.documents
                    .document(keys.nextRecordWrite())
                    .set(state.fields(Payloads.encode(Payloads.RECORD))));
        }
        for (ApiFuture<WriteResult> call : calls) {
            blackhole.consume(await(call));
        }
    }

    @Benchmark
    @ReportRow(label = "Raw Firestore client document get of the string")
    public String firestoreGetString(RawState state, ReadWriteKeys keys) throws Exception {
        return state.checkHit(Payloads.decodeString(
                state.read(await(state.documents.document(keys.nextStringRead()).get()))));
    }

    @Benchmark
    @ReportRow(label = "Raw Firestore client document set of the string")
    public WriteResult firestoreSetString(RawState state, ReadWriteKeys keys) throws Exception {
        return await(state.documents
                .document(keys.nextStringWrite())
                .set(state.fields(Payloads.STRING.getBytes(StandardCharsets.UTF_8))));
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
            Payloads.checkSameBytes();
            cache = Cachekit.fromUri("firestore://" + PROJECT + "?emulatorHost=" + HOST
                    + "&collection=bench-cachekit&namespace=bench-cachekit&timeout=5s");
            async = cache.async();
            missesAfterSetup = ReadWriteKeys.populate(cache);
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
        private static final String NAMESPACE = "bench-raw";

        private Firestore client;
        CollectionReference documents;
        private final LongAdder missed = new LongAdder();

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            Payloads.checkSameBytes();
            client = FirestoreOptions.newBuilder()
                    .setRetrySettings(FirestoreBackend.retrySettings(Duration.ofSeconds(5)))
                    .setProjectId(PROJECT)
                    .setEmulatorHost(HOST)
                    .build()
                    .getService();
            documents = client.collection("bench-raw");
            // In chunks, as Cachekit's prefill goes (1,024 sets at once to a freshly started emulator ran some
            // past the clients' shared 5 s deadline).
            for (int from = 0; from < KEY_COUNT; from += BATCH_KEYS) {
                prefill(from, Math.min(KEY_COUNT, from + BATCH_KEYS));
            }
            missed.reset();
        }

        /**
         * Writes keys {@code from} (inclusive) to {@code to}, then reads each back and checks its bytes, in the
         * calls Cachekit's prefill makes ({@link ReadWriteKeys#populate}): one batch of records, one of strings,
         * one {@code getAll} of each. The emulator starts cold in every run and warms as it serves, so both
         * sides give it the same work before their warm-up; 2,048 single-document calls here once measured the
         * raw side some seconds later in the emulator's life than Cachekit.
         */
        private void prefill(int from, int to) throws Exception {
            WriteBatch records = client.batch();
            WriteBatch strings = client.batch();
            List<DocumentReference> recordDocuments = new ArrayList<>();
            List<DocumentReference> stringDocuments = new ArrayList<>();
            for (int i = from; i < to; i++) {
                recordDocuments.add(documents.document(recordKey(i)));
                stringDocuments.add(documents.document(stringKey(i)));
                records.set(recordDocuments.get(i - from), fields(Payloads.RECORD_BYTES));
                strings.set(stringDocuments.get(i - from), fields(Payloads.STRING_BYTES));
            }
            records.commit().get(30, TimeUnit.SECONDS);
            strings.commit().get(30, TimeUnit.SECONDS);
            List<DocumentSnapshot> readRecords = client.getAll(recordDocuments.toArray(DocumentReference[]::new))
                    .get(30, TimeUnit.SECONDS);
            List<DocumentSnapshot> readStrings = client.getAll(stringDocuments.toArray(DocumentReference[]::new))
                    .get(30, TimeUnit.SECONDS);
            for (int i = from; i < to; i++) {
                expect(
                        Payloads.RECORD,
                        Payloads.decode(read(readRecords.get(i - from))),
                        "the raw getAll of " + recordKey(i));
                expect(
                        Payloads.STRING,
                        Payloads.decodeString(read(readStrings.get(i - from))),
                        "the raw getAll of " + stringKey(i));
            }
        }

        /**
         * What an application writes by hand, in Cachekit's layout: the namespace it clears by, the value's bytes
         * and a TTL-policy timestamp (every field is indexed by default, so a field less would be a lighter write).
         */
        Map<String, Object> fields(byte[] value) {
            Instant expiry = Instant.now().plus(TTL);
            return Map.of(
                    "ns",
                    NAMESPACE,
                    "value",
                    Blob.fromBytes(value),
                    "expiresAt",
                    Timestamp.ofTimeSecondsAndNanos(expiry.getEpochSecond(), expiry.getNano()));
        }

        /** The bytes of a document that has not expired, as an application reads it by hand; else null. */
        byte[] read(DocumentSnapshot document) {
            Timestamp expiresAt = document.getTimestamp("expiresAt");
            Blob blob = document.getBlob("value");
            if (blob == null || expiresAt == null || expiresAt.compareTo(Timestamp.now()) <= 0) {
                return null;
            }
            return blob.toBytes();
        }

        <T> T checkHit(T value) {
            if (value == null) {
                missed.increment();
            }
            return value;
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
