package io.cachekit.mongodb;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A mongo-java-server process of the tests' own on a fixed loopback port ({@link WireProtocolServerMain}):
 * started, killed, paused (SIGSTOP) and resumed (SIGCONT) for real, and started again on the same port. A
 * server that does not come up fails the test that needs it; nothing is skipped.
 *
 * <p>It is a wire-protocol server, not mongod: it has no TTL monitor (documents with a past {@code expiresAt}
 * stay until deleted), no replica sets, and no index key size limit, and it accepts an index whose name is
 * taken with other options instead of refusing it.
 */
final class WireProtocolServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final int port;
    private Process process;
    private boolean paused;

    WireProtocolServer(int port) {
        this.port = port;
    }

    int port() {
        return port;
    }

    /** {@code mongodb://127.0.0.1:<port>}. */
    String uri() {
        return "mongodb://127.0.0.1:" + port;
    }

    /** Starts the server unless it runs; returns once it accepts connections. */
    synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        if (accepts()) {
            throw new IllegalStateException("port " + port + " is taken by another process: cannot start the test"
                    + " MongoDB server there (a server left over from an earlier run?)");
        }
        Path log;
        try {
            Path dir = Path.of("target", "mongo-servers");
            Files.createDirectories(dir);
            log = dir.resolve("server-" + port + ".log");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the server's log file", e);
        }
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder builder = new ProcessBuilder(List.of(
                java,
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                WireProtocolServerMain.class.getName(),
                Integer.toString(port)));
        builder.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the test MongoDB server on port " + port, e);
        }
        paused = false;
        Process started = process;
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
                String line = out.readLine();
                // Keep draining, so the server never blocks on a full pipe.
                while (out.readLine() != null) {
                    // nothing
                }
                return line;
            } catch (IOException e) {
                return null;
            }
        });
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!accepts()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the test MongoDB server on port " + port + " exited with "
                        + process.exitValue() + "; see " + log.toAbsolutePath());
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new IllegalStateException("the test MongoDB server on port " + port + " did not start within "
                        + START_TIMEOUT + "; see " + log.toAbsolutePath());
            }
            sleep(20);
        }
        if (ready.isDone() && ready.join() == null) {
            throw new IllegalStateException("the test MongoDB server on port " + port + " did not report ready");
        }
    }

    /** Kills the server (SIGKILL); returns once the port refuses connections. */
    synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test MongoDB server on port " + port + " did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        process = null;
        paused = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (accepts() && System.nanoTime() < deadline) {
            sleep(20);
        }
    }

    /**
     * Stops the process (SIGSTOP): it keeps its connections and answers nothing. Returns once every thread of it
     * has stopped: kill returns when the signal is sent, and the kernel stops the threads only once one of them
     * has run to take it, which on a loaded machine leaves time to answer a request or two.
     */
    synchronized void pause() {
        if (process != null && process.isAlive() && !paused) {
            signal("-STOP");
            paused = true;
            awaitThreads(true);
        }
    }

    /** Continues a paused process (SIGCONT); returns once none of its threads is stopped. */
    synchronized void resume() {
        if (process != null && process.isAlive() && paused) {
            signal("-CONT");
            paused = false;
            awaitThreads(false);
        }
    }

    private void awaitThreads(boolean stopped) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (threadsStopped() != stopped) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the test MongoDB server on port " + port + " (pid " + process.pid()
                        + ") did not " + (stopped ? "stop" : "continue") + " within 10 s");
            }
            sleep(2);
        }
    }

    /**
     * Whether every thread of the process is stopped: state {@code T} in {@code /proc/<pid>/task/<tid>/stat}.
     * Threads that end while they are read are left out.
     */
    private boolean threadsStopped() {
        Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
        List<Path> threads;
        try (Stream<Path> list = Files.list(tasks)) {
            threads = list.toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + tasks, e);
        }
        for (Path thread : threads) {
            String stat;
            try {
                stat = Files.readString(thread.resolve("stat"));
            } catch (IOException e) {
                continue; // the thread ended
            }
            // pid (comm) state ...: the name may hold spaces and parentheses, the state follows the last ')'.
            String state = stat.substring(stat.lastIndexOf(')') + 1).trim();
            if (!state.startsWith("T")) {
                return false;
            }
        }
        return true;
    }

    @Override
    public synchronized void close() {
        resume();
        stop();
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid()))
                    .inheritIO()
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill " + signal, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
