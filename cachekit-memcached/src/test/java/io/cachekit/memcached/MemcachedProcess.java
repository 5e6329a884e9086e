package io.cachekit.memcached;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A memcached process of a test's own, on a loopback port, that the test can kill, pause (SIGSTOP), resume and
 * start again. The binary is {@code memcached} on the PATH unless the system property {@code
 * cachekit.memcached.server} names another; a missing binary fails the test. As root it runs as {@code nobody}
 * (memcached refuses root otherwise).
 */
final class MemcachedProcess implements AutoCloseable {
    private final int port;
    private final Path log;
    private final List<String> extraArgs;
    private final RawMemcached raw;
    private Process process;
    private boolean paused;

    private MemcachedProcess(int port, Path dir, List<String> extraArgs) {
        this.port = port;
        this.log = dir.resolve("memcached-" + port + ".log");
        this.extraArgs = List.copyOf(extraArgs);
        this.raw = new RawMemcached("127.0.0.1", port);
    }

    /** Starts a server on {@code port}, logging into {@code dir}, and waits until it answers. */
    static MemcachedProcess start(int port, Path dir, String... extraArgs) {
        MemcachedProcess server = new MemcachedProcess(port, dir, List.of(extraArgs));
        server.start();
        return server;
    }

    int port() {
        return port;
    }

    RawMemcached raw() {
        return raw;
    }

    /** Starts the server (again) unless it runs; waits until it answers. */
    synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        if (raw.answers()) {
            throw new AssertionError("port " + port + " is already taken by another memcached");
        }
        List<String> command = new ArrayList<>(List.of(
                System.getProperty("cachekit.memcached.server", "memcached"),
                "-l",
                "127.0.0.1",
                "-p",
                String.valueOf(port),
                "-U",
                "0",
                "-m",
                "64"));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "nobody"));
        }
        command.addAll(extraArgs);
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new AssertionError("Cannot run memcached (install it with scripts/servers/memcached.sh start)", e);
        }
        paused = false;
        Awaitility.await("memcached on port " + port)
                .atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("memcached on port " + port + " exited: " + read(log));
                    }
                    return raw.answers();
                });
    }

    /** Kills the server (SIGKILL) and waits until its port is closed. */
    synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("memcached on port " + port + " did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while killing memcached", e);
        }
        process = null;
        paused = false;
        Awaitility.await("port " + port + " closed")
                .atMost(Duration.ofSeconds(10))
                .until(() -> !raw.answers());
    }

    /** Stops the process (SIGSTOP): it keeps its connections and answers nothing. */
    synchronized void pause() {
        if (process != null && !paused) {
            signal("-STOP");
            paused = true;
            // kill returns once the signal is sent; wait until the kernel has stopped every thread.
            Awaitility.await("memcached on port " + port + " stopped")
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> "T".equals(state()));
        }
    }

    /** Continues a paused process (SIGCONT). */
    synchronized void resume() {
        if (process != null && paused) {
            signal("-CONT");
            paused = false;
            Awaitility.await("memcached on port " + port + " continued")
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> !"T".equals(state()));
        }
    }

    /** The process's state letter from {@code /proc/<pid>/stat} ({@code T} when stopped), or "" if unknown. */
    private String state() {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
            String afterName = stat.substring(stat.lastIndexOf(')') + 1).trim();
            return afterName.substring(0, 1);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, String.valueOf(process.pid()))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill " + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run kill " + signal, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while signalling memcached", e);
        }
    }

    @Override
    public void close() {
        resume();
        kill();
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
