package io.cachekit.firestore;

import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.FirestoreOptions;
import io.cachekit.Cachekit;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ForkJoinPool;

/**
 * Where the tests find the emulator that {@code scripts/servers/firestore.sh start} runs: {@code
 * 127.0.0.1:8700} unless the system property {@code cachekit.firestore.host} names another. An emulator that
 * does not answer fails the test with a hint, never skips it.
 */
final class FirestoreTestEmulator {
    static final String HOST = System.getProperty("cachekit.firestore.host", "127.0.0.1:8700");
    static final String PROJECT = "demo-cachekit";

    private FirestoreTestEmulator() {}

    /** The URI of the shared emulator with a collection of the test's own. */
    static String uri(String collection) {
        return "firestore://" + PROJECT + "?emulatorHost=" + HOST + "&collection=" + collection;
    }

    /** A fresh collection name, so tests never see each other's documents. */
    static String newCollection() {
        return "cachekit-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A context with the given timeout, the system clock and the common pool. */
    static BackendContext context(Duration timeout) {
        return new BackendContext(timeout, Clock.systemUTC(), ForkJoinPool.commonPool());
    }

    /**
     * Creates the backend of {@code uri} ({@link Cachekit#createBackend}); an emulator that does not answer fails the
     * test with a hint.
     */
    static CacheBackend connect(String uri, BackendContext context) {
        requireEmulator();
        return Cachekit.createBackend(uri, context);
    }

    /** A raw client of the shared emulator, as an application would build one; the caller closes it. */
    static Firestore rawClient() {
        requireEmulator();
        return FirestoreOptions.newBuilder()
                .setProjectId(PROJECT)
                .setEmulatorHost(HOST)
                .build()
                .getService();
    }

    /** Closes a raw client (its close() declares Exception, so it stays out of try-with-resources). */
    static void close(Firestore client) {
        try {
            client.close();
        } catch (Exception e) {
            throw new AssertionError("closing a Firestore client failed", e);
        }
    }

    /** Whether Google's emulator runs at {@link #HOST}: it answers {@code Ok} to {@code GET /}; the npm one speaks gRPC only. */
    static boolean isGoogleEmulator() {
        requireEmulator();
        int colon = HOST.lastIndexOf(':');
        try {
            return answersOk(HOST.substring(0, colon), Integer.parseInt(HOST.substring(colon + 1)));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether the server at {@code host:port} answers {@code GET /} with the body {@code Ok}, as Google's emulator
     * does.
     */
    static boolean answersOk(String host, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The emulator keeps the connection open after its answer: read until the body has arrived.
            InputStream in = socket.getInputStream();
            StringBuilder reply = new StringBuilder();
            byte[] buffer = new byte[256];
            int n;
            while ((n = in.read(buffer)) > 0) {
                reply.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
                if (reply.toString().contains("\r\n\r\nOk")) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Fails (never skips) when nothing accepts connections at {@link #HOST}. */
    static void requireEmulator() {
        int colon = HOST.lastIndexOf(':');
        try (Socket socket = new Socket()) {
            socket.connect(
                    new InetSocketAddress(HOST.substring(0, colon), Integer.parseInt(HOST.substring(colon + 1))), 2000);
        } catch (IOException e) {
            throw new AssertionError(
                    "The Firestore emulator does not answer at " + HOST
                            + ": start it with scripts/servers/firestore.sh start",
                    e);
        }
    }
}
