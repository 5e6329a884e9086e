package io.cachekit.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A dynalite process of a test's own, on a loopback port, that the test can kill, pause (SIGSTOP), resume and
 * start again. It keeps its tables in a LevelDB folder ({@code --path}), so they survive a restart as a real
 * DynamoDB table survives an outage.
 *
 * <p>dynalite is run from where {@code scripts/servers/dynamodb.sh} installs it: the folder named by the
 * system property {@code cachekit.dynalite.dir} (the module's pom sets it), or the environment variable
 * {@code CACHEKIT_DYNALITE_DIR}. A missing installation fails the test with the command that installs it.
 */
final class DynaliteProcess implements AutoCloseable {
    private final int port;
    private final Path dataDir;
    private Process process;
    private boolean paused;

    private DynaliteProcess(int port, Path dataDir) {
        this.port = port;
        this.dataDir = dataDir;
    }

    /** Starts dynalite on {@code port} with its data in {@code dataDir}, and waits until it accepts connections. */
    static DynaliteProcess start(int port, Path dataDir) {
        DynaliteProcess server = new DynaliteProcess(port, dataDir);
        server.start();
        return server;
    }

    /**
     * The cli.js of the installed dynalite: in {@code -Dcachekit.dynalite.dir}, {@code $CACHEKIT_DYNALITE_DIR},
     * {@code $CACHEKIT_CACHE_DIR/dynalite-4.0.0} or {@code ~/.cache/cachekit/dynalite-4.0.0}, the first that
     * holds it.
     */
    static Path cli() {
        List<String> candidates = new ArrayList<>();
        candidates.add(System.getProperty("cachekit.dynalite.dir"));
        candidates.add(System.getenv("CACHEKIT_DYNALITE_DIR"));
        String cacheDir = System.getenv("CACHEKIT_CACHE_DIR");
        candidates.add(
                cacheDir == null ? null : Path.of(cacheDir, "dynalite-4.0.0").toString());
        candidates.add(Path.of(System.getProperty("user.home"), ".cache", "cachekit", "dynalite-4.0.0")
                .toString());
        candidates.removeIf(Objects::isNull);
        for (String dir : candidates) {
            Path cli = Path.of(dir, "node_modules", "dynalite", "cli.js");
            if (Files.isRegularFile(cli)) {
                return cli;
            }
        }
        throw new AssertionError("dynalite is not installed in any of " + candidates
                + "; run scripts/servers/dynamodb.sh start (or install), or set -Dcachekit.dynalite.dir");
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Starts the server (again, after {@link #stop()}); does nothing when it runs. */
    synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        assertThat(acceptsConnections())
                .as("port %d is already taken by another server", port)
                .isFalse();
        Path log = dataDir.resolve("dynalite-" + port + ".log");
        try {
            Files.createDirectories(dataDir);
            process = new ProcessBuilder(List.of(
                            System.getProperty("cachekit.node", "node"),
                            cli().toString(),
                            "--host",
                            "127.0.0.1",
                            "--port",
                            String.valueOf(port),
                            "--path",
                            dataDir.resolve("data").toString(),
                            "--createTableMs",
                            "50"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new AssertionError("cannot run node (install Node.js; see scripts/servers/dynamodb.sh)", e);
        }
        paused = false;
        Awaitility.await("dynalite on port " + port)
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("dynalite on port " + port + " exited: " + read(log));
                    }
                    return acceptsConnections();
                });
    }

    /** Kills the server (SIGKILL, as a crash would) and waits until its port is closed. */
    synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while stopping dynalite", e);
        }
        process = null;
        paused = false;
        Awaitility.await("port " + port + " closed")
                .atMost(Duration.ofSeconds(10))
                .until(() -> !acceptsConnections());
    }

    /** SIGSTOP: the process keeps its sockets (the kernel still accepts connections) but answers nothing. */
    synchronized void pause() {
        if (process != null && !paused) {
            signal("STOP");
            paused = true;
        }
    }

    /** SIGCONT after {@link #pause()}. */
    synchronized void resume() {
        if (process != null && paused) {
            signal("CONT");
            paused = false;
        }
    }

    @Override
    public void close() {
        resume();
        stop();
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(kill.exitValue()).as("kill -%s %d", name, process.pid()).isZero();
        } catch (IOException e) {
            throw new AssertionError("cannot send SIG" + name + " to dynalite", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while signalling dynalite", e);
        }
    }

    private boolean acceptsConnections() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
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
