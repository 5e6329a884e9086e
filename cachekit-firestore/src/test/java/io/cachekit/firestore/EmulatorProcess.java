package io.cachekit.firestore;

import com.google.cloud.firestore.DocumentReference;
import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.FirestoreOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A Firestore emulator process of a test's own, on a loopback port, that the test can stop (SIGKILL), pause
 * (SIGSTOP), resume (SIGCONT) and start again on the same port.
 *
 * <p>It runs the emulator that {@code scripts/servers/firestore.sh start} chose, through the command file that
 * the script writes ({@code emulator.command} under {@code ${CACHEKIT_RUN_DIR:-/tmp/cachekit-servers}/firestore},
 * or the file the system property {@code cachekit.firestore.emulator} names): line 1 names the emulator, the
 * next lines are the command's arguments, {@code {port}} standing for the port. A missing file fails the test.
 */
final class EmulatorProcess implements AutoCloseable {
    private static final String HOST = "127.0.0.1";

    private final int port;
    private final String description;
    private final List<String> command;
    private final Path log;
    private Process process;
    private boolean paused;

    private EmulatorProcess(int port, String description, List<String> command, Path log) {
        this.port = port;
        this.description = description;
        this.command = command;
        this.log = log;
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
        Path log;
        try {
            log = Files.createTempFile("cachekit-firestore-" + port + "-", ".log");
        } catch (IOException e) {
            throw new AssertionError("cannot create a log file for the emulator", e);
        }
        return new EmulatorProcess(port, lines.get(0), List.copyOf(command), log);
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

    int port() {
        return port;
    }

    String hostAndPort() {
        return HOST + ":" + port;
    }

    /** Which emulator runs: the first line of the command file, such as {@code google 1.19.9}. */
    String description() {
        return description;
    }

    /** Starts the emulator unless it runs, and waits until it answers. Idempotent. */
    synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        if (accepts()) {
            throw new AssertionError("port " + port + " is already taken by another server");
        }
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new AssertionError("Cannot run the Firestore emulator " + command, e);
        }
        paused = false;
        Process started = process;
        // Never outlive the test JVM, even when it ends without calling stop().
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly, "stop emulator " + port));
        Awaitility.await(description + " on port " + port)
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!started.isAlive()) {
                        throw new AssertionError("the emulator on port " + port + " exited: " + read(log));
                    }
                    return answers();
                });
        warmUp();
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
            throw new AssertionError("the emulator on port " + port + " does not serve requests: " + read(log), e);
        } finally {
            FirestoreTestEmulator.close(client);
        }
    }

    /** Kills the emulator (SIGKILL, which also ends a paused one) and waits until its port is closed. */
    synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the emulator on port " + port + " did not exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while stopping the emulator", e);
        }
        process = null;
        paused = false;
        Awaitility.await("port " + port + " closed")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> !accepts());
    }

    /** Stops the process (SIGSTOP): it keeps its connections and answers nothing. */
    synchronized void pause() {
        if (process != null && process.isAlive() && !paused) {
            signal("STOP");
            paused = true;
        }
    }

    /** Continues a paused process (SIGCONT). Idempotent. */
    synchronized void resume() {
        if (process != null && process.isAlive() && paused) {
            signal("CONT");
            paused = false;
        }
    }

    /** Stops the emulator and removes its log. */
    @Override
    public void close() {
        stop();
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // A leftover log in the temporary folder is harmless.
        }
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run kill -" + signal, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while sending SIG" + signal, e);
        }
    }

    /**
     * Whether the emulator answers: Google's says {@code Ok} to {@code GET /}; the npm one speaks gRPC only,
     * so there an open port is the sign.
     */
    private boolean answers() {
        if (!description.startsWith("google")) {
            return accepts();
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 500);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.0\r\nHost: " + HOST + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
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
        } catch (IOException e) {
            return false;
        }
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
