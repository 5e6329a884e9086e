package io.cachekit.firestore;

import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.FirestoreOptions;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.spi.CacheBackendProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ServiceLoader;
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

    /** Creates the backend of {@code uri} through the provider that {@link ServiceLoader} finds. */
    static CacheBackend connect(String uri, BackendContext context) {
        requireEmulator();
        URI parsed = URI.create(uri);
        CacheBackendProvider provider = ServiceLoader.load(CacheBackendProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.schemes().contains(parsed.getScheme()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no CacheBackendProvider registered for " + parsed.getScheme()));
        return provider.create(parsed, context);
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
        try (Socket socket = new Socket()) {
            socket.connect(
                    new InetSocketAddress(HOST.substring(0, colon), Integer.parseInt(HOST.substring(colon + 1))), 2000);
            socket.setSoTimeout(2000);
            socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] buffer = new byte[256];
            StringBuilder reply = new StringBuilder();
            int n;
            while ((n = socket.getInputStream().read(buffer)) > 0) {
                reply.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
                if (reply.toString().contains("\r\n\r\nOk")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
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
