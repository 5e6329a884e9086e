package io.cachekit.redis;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A redis-server process of a test's own, on a loopback port, that the test can stop and start again.
 * The binary is {@code redis-server} on the PATH unless the system property {@code cachekit.redis.server}
 * names another; a missing binary fails the test.
 */
final class RedisProcess implements AutoCloseable {
    private final int port;
    private final Path dir;
    private final boolean tls;
    private final List<String> extraArgs;
    private Process process;

    private RedisProcess(int port, boolean tls, Path dir, List<String> extraArgs) {
        this.port = port;
        this.tls = tls;
        this.dir = dir;
        this.extraArgs = List.copyOf(extraArgs);
    }

    /** Starts a server on {@code port} with its files in {@code dir}, and waits until it answers. */
    static RedisProcess start(int port, Path dir, String... extraArgs) {
        RedisProcess server = new RedisProcess(port, false, dir, List.of(extraArgs));
        server.start();
        return server;
    }

    /**
     * Starts a server that speaks TLS only, on {@code port}, with the given PEM certificate and key, and
     * waits until its port accepts connections.
     */
    static RedisProcess startTls(int port, Path dir, Path cert, Path key, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of(
                "--tls-port", String.valueOf(port),
                "--tls-cert-file", cert.toString(),
                "--tls-key-file", key.toString(),
                "--tls-ca-cert-file", cert.toString(),
                "--tls-auth-clients", "no"));
        args.addAll(List.of(extraArgs));
        RedisProcess server = new RedisProcess(port, true, dir, args);
        server.start();
        return server;
    }

    int port() {
        return port;
    }

    /** Starts the server again (after {@link #stop()}), and waits until it answers. */
    void start() {
        assertThat(answers())
                .as("port %d is already taken by another server", port)
                .isFalse();
        List<String> command = new ArrayList<>(List.of(
                System.getProperty("cachekit.redis.server", "redis-server"),
                "--port",
                String.valueOf(tls ? 0 : port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString()));
        command.addAll(extraArgs);
        Path log = dir.resolve("redis-" + port + ".log");
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new AssertionError("Cannot run redis-server (install it with scripts/servers/redis.sh start)", e);
        }
        Awaitility.await("redis-server on port " + port)
                .atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("redis-server on port " + port + " exited: " + read(log));
                    }
                    return answers();
                });
    }

    /** Whether this object's server process runs. */
    boolean running() {
        return process != null && process.isAlive();
    }

    /** Sends {@code SIGSTOP} ({@code pause}) or {@code SIGCONT} to the server: paused, it answers nothing. */
    void signal(boolean pause) {
        if (process == null) {
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", pause ? "-STOP" : "-CONT", Long.toString(process.pid()))
                    .inheritIO()
                    .start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0)
                    .as("kill %s %d", pause ? "-STOP" : "-CONT", process.pid())
                    .isTrue();
        } catch (IOException e) {
            throw new AssertionError("cannot signal redis-server", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while signalling redis-server", e);
        }
    }

    /** Stops the server (SIGTERM, then SIGKILL) and waits until its port is closed. */
    void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while stopping redis-server", e);
        }
        process = null;
        Awaitility.await("port " + port + " closed")
                .atMost(Duration.ofSeconds(10))
                .until(() -> !answers());
    }

    @Override
    public void close() {
        stop();
    }

    /** Whether a server answers PING on the port; for a TLS server, whether the port accepts connections. */
    private boolean answers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            if (tls) {
                return true;
            }
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(7);
            return new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG")
                    || new String(reply, StandardCharsets.US_ASCII).startsWith("-NOAUTH");
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
