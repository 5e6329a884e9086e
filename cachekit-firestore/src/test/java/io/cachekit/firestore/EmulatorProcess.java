package io.cachekit.firestore;

import com.google.cloud.firestore.DocumentReference;
import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.FirestoreOptions;
import io.cachekit.tck.ServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Firestore emulator process of a test's own, on a loopback port ({@link ServerProcess}), that the test can
 * stop (SIGKILL), pause (SIGSTOP), resume (SIGCONT) and start again on the same port; a fresh one is warmed up
 * before {@link #start()} returns.
 *
 * <p>It runs the emulator that {@code scripts/servers/firestore.sh start} chose, through the command file that
 * the script writes ({@code emulator.command} under {@code ${CACHEKIT_RUN_DIR:-/tmp/cachekit-servers}/firestore},
 * or the file the system property {@code cachekit.firestore.emulator} names): line 1 names the emulator, the
 * next lines are the command's arguments, {@code {port}} standing for the port. A missing file fails the test.
 */
final class EmulatorProcess implements AutoCloseable {
    private final ServerProcess server;

    private EmulatorProcess(ServerProcess server) {
        this.server = server;
    }

    /** The emulator of the script's command file, for {@code port}; not started yet. */
    static EmulatorProcess onPort(int port) {
        Path file = commandFile();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(
                    "No Firestore emulator command at " + file
                            + ": run scripts/servers/firestore.sh start first (it writes the file)",
                    e);
        }
        if (lines.size() < 2) {
            throw new AssertionError("The Firestore emulator command file " + file + " is incomplete: " + lines);
        }
        List<String> command = new ArrayList<>();
        for (String argument : lines.subList(1, lines.size())) {
            command.add(argument.replace("{port}", Integer.toString(port)));
        }
        // Google's emulator says Ok to GET /; the npm one speaks gRPC only, so there an open port is the sign.
        ServerProcess.Probe probe = lines.get(0).startsWith("google")
                ? p -> FirestoreTestEmulator.answersOk("127.0.0.1", p)
                : ServerProcess::acceptsConnections;
        return new EmulatorProcess(ServerProcess.builder("the Firestore emulator", port)
                .command(command)
                .probe(probe)
                .startTimeout(Duration.ofSeconds(60))
                .build());
    }

    static Path commandFile() {
        String explicit = System.getProperty("cachekit.firestore.emulator");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String runDir = System.getenv("CACHEKIT_RUN_DIR");
        return Path.of(
                runDir == null || runDir.isBlank() ? "/tmp/cachekit-servers" : runDir, "firestore", "emulator.command");
    }

    String hostAndPort() {
        return server.address();
    }

    /** Starts the emulator unless it runs, and waits until it answers and has served a first write. Idempotent. */
    synchronized void start() {
        if (!server.running()) {
            server.start();
            warmUp();
        }
    }

    /**
     * A fresh emulator (a cold JVM for Google's) takes a while over its first requests: a write and a read
     * through a client of its own, with time to spare, so that the test's first call meets a warm server.
     */
    private void warmUp() {
        Firestore client = FirestoreOptions.newBuilder()
                .setProjectId("demo-warm-up")
                .setEmulatorHost(hostAndPort())
                .build()
                .getService();
        try {
            DocumentReference document = client.collection("warm-up").document("probe");
            document.set(Map.of("at", System.nanoTime())).get(60, TimeUnit.SECONDS);
            document.get().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(server + " does not serve requests; its log ends:\n" + server.logTail(), e);
        } finally {
            FirestoreTestEmulator.close(client);
        }
    }

    /** Kills the emulator (SIGKILL, which also ends a paused one) and waits until its port is closed. */
    void stop() {
        server.kill();
    }

    /** Stops the process (SIGSTOP): it keeps its connections and answers nothing. */
    void pause() {
        server.pause();
    }

    /** Continues a paused process (SIGCONT). Idempotent. */
    void resume() {
        server.resume();
    }

    /** Stops the emulator and removes its log. */
    @Override
    public void close() {
        server.close();
    }
}
