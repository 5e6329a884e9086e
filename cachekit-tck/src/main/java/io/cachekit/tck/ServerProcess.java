package io.cachekit.tck;

import io.cachekit.spi.Durations;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A server process of a test's own on a loopback port ({@code 127.0.0.1}), that the test can start, stop, kill,
 * pause (SIGSTOP), resume (SIGCONT) and start again on the same port: what a backend's failure test needs to put
 * its store through an outage for real.
 *
 * <p>Built with {@link #builder(String, int)}: the command, the readiness probe (by default, the port accepts a TCP
 * connection), the log file and the environment. Each call returns only once the server is in the state it names:
 *
 * <ul>
 *   <li>{@link #start()} starts the command unless this object's process runs, and returns once the probe says
 *       the server is ready;
 *   <li>{@link #stop()} sends SIGTERM (after SIGCONT, should it be paused) and SIGKILL when the process has not
 *       ended within ten seconds; {@link #kill()} sends SIGKILL at once, as a crash would; both return once the
 *       process has ended and the port refuses connections;
 *   <li>{@link #pause()} returns once every thread of the process is stopped, and {@link #resume()} once none is:
 *       {@code kill -STOP} returns when the signal is sent, and the kernel stops the threads only once one of them
 *       has run to take it, which on a loaded machine leaves time to answer a request or two.
 * </ul>
 *
 * <p>Every failure is an {@link AssertionError}, so it fails the test (never skips it): a port already taken by
 * another process, a command that cannot be run, a server that exits or is not ready in time (with the end of
 * its log in the message), a process that does not stop or continue. Pause and resume read the threads' states
 * from {@code /proc}, so they need Linux.
 *
 * <p>Threads: every method may be called from any thread; calls on one object run one at a time, each blocking
 * its caller until done. The process's output and error go to the log file, appended across restarts; its
 * standard input is a pipe that nothing writes, so a server that reads it sees its end when this JVM ends. A
 * process still running when the JVM exits is killed by a shutdown hook, so a test that ends without {@link
 * #close()} leaves no server holding its port.
 */
public final class ServerProcess implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(10);
    private static final int LOG_TAIL_CHARS = 16 * 1024;

    /** Whether the server on a port is ready. */
    @FunctionalInterface
    public interface Probe {
        /**
         * Whether the server on {@code port} of {@code 127.0.0.1} is ready to serve; called over and over until
         * it is, so it should be quick and bounded in time (a socket timeout, say).
         *
         * @throws IOException taken as not ready yet
         */
        boolean ready(int port) throws IOException;
    }

    private final String name;
    private final int port;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Probe probe;
    private final Path log;
    private final boolean ownLog;
    private final Duration startTimeout;
    private final String installHint;
    // Volatile for the shutdown hook, which must not wait for the lock a stuck call may hold.
    private volatile Process process;
    private boolean paused;
    private boolean hooked;

    private ServerProcess(Builder builder, Path log, boolean ownLog) {
        this.name = builder.name;
        this.port = builder.port;
        this.command = List.copyOf(builder.command);
        this.environment = Map.copyOf(builder.environment);
        this.probe = builder.probe;
        this.log = log;
        this.ownLog = ownLog;
        this.startTimeout = builder.startTimeout;
        this.installHint = builder.installHint;
    }

    /**
     * A builder of a server called {@code name} in messages (such as {@code redis-server}) on {@code port} of
     * {@code 127.0.0.1}.
     */
    public static Builder builder(String name, int port) {
        return new Builder(name, port);
    }

    /**
     * Whether something accepts TCP connections on {@code port} of {@code 127.0.0.1} within half a second: the
     * default probe, and the check that a port is free before a start.
     */
    public static boolean acceptsConnections(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The port the server listens on. */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:<port>}. */
    public String address() {
        return HOST + ":" + port;
    }

    /** The file the process writes its output and errors to. */
    public Path log() {
        return log;
    }

    /**
     * The end of the log (its last 16 KiB: a server's log can be long, and its last lines say why it failed), or
     * why it cannot be read; for a failure message.
     */
    public String logTail() {
        try {
            // Leniently: a log may hold bytes that are not UTF-8.
            String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            return text.length() <= LOG_TAIL_CHARS ? text : "...\n" + text.substring(text.length() - LOG_TAIL_CHARS);
        } catch (IOException | RuntimeException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Whether this object's process runs (paused or not). */
    public synchronized boolean running() {
        Process current = process;
        return current != null && current.isAlive();
    }

    /**
     * Starts the server unless this object's process runs, and returns once the probe says it is ready. Idempotent:
     * a running (even paused) process is left as it is.
     *
     * @throws AssertionError when the port is taken by another process, the command cannot be run, or the server
     *     exits or is not ready within the start timeout (then its process is killed)
     */
    public synchronized void start() {
        if (running()) {
            return;
        }
        if (acceptsConnections(port)) {
            throw new AssertionError(describe() + ": the port is already taken by another process"
                    + " (a server left over from an earlier run?)");
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        try {
            Path parent = log.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            process = builder.start();
        } catch (IOException e) {
            throw new AssertionError(
                    "Cannot run " + command.get(0) + " for " + describe()
                            + (installHint.isEmpty() ? "" : " (" + installHint + ")"),
                    e);
        }
        paused = false;
        if (!hooked) {
            Runtime.getRuntime().addShutdownHook(new Thread(this::killOnExit, "kill " + describe()));
            hooked = true;
        }
        Process started = process;
        boolean ready = waitFor(startTimeout, 20, () -> {
            if (!started.isAlive()) {
                throw failure("exited with code " + started.exitValue() + " at start");
            }
            return probe();
        });
        if (!ready) {
            AssertionError failure = failure("is not ready after " + startTimeout);
            kill();
            throw failure;
        }
    }

    /**
     * Stops the server: SIGTERM (after SIGCONT, should it be paused), then SIGKILL when it has not ended within ten
     * seconds. Returns once the process has ended and the port refuses connections; does nothing when no process of
     * this object runs.
     */
    public synchronized void stop() {
        Process current = process;
        if (current == null) {
            return;
        }
        if (paused && current.isAlive()) {
            // A stopped process acts on SIGTERM only once it runs again.
            signal("CONT");
        }
        current.destroy();
        if (!waitForExit(current, STOP_GRACE)) {
            current.destroyForcibly();
        }
        ended(current);
    }

    /**
     * Kills the server (SIGKILL, as a crash would, paused or not). Returns once the process has ended and the port
     * refuses connections; does nothing when no process of this object runs.
     */
    public synchronized void kill() {
        Process current = process;
        if (current == null) {
            return;
        }
        current.destroyForcibly();
        ended(current);
    }

    /**
     * Pauses the server (SIGSTOP): it keeps its sockets, and the kernel still accepts connections for it, but it
     * answers nothing. Returns once every thread of the process is stopped. Does nothing when it is paused already
     * or no process of this object runs.
     */
    public synchronized void pause() {
        if (running() && !paused) {
            signal("STOP");
            paused = true;
            awaitThreads("stop", states -> states.allMatch(state -> state == 'T' || state == 't'));
        }
    }

    /**
     * Resumes a paused server (SIGCONT); returns once none of its threads is stopped. Idempotent: does nothing when
     * it is not paused.
     */
    public synchronized void resume() {
        if (running() && paused) {
            signal("CONT");
            paused = false;
            awaitThreads("continue", states -> states.noneMatch(state -> state == 'T' || state == 't'));
        }
    }

    /** Resumes and stops the server ({@link #stop()}), and removes the log when the builder was not given one. */
    @Override
    public synchronized void close() {
        resume();
        stop();
        if (ownLog) {
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                // A leftover log in the temporary folder is harmless.
            }
        }
    }

    @Override
    public String toString() {
        return describe();
    }

    private String describe() {
        return name + " on port " + port;
    }

    private boolean probe() {
        try {
            return probe.ready(port);
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits for the ended process, forgets it, and waits until the port refuses connections. */
    private void ended(Process current) {
        if (!waitForExit(current, EXIT_TIMEOUT)) {
            throw failure("(pid " + current.pid() + ") did not end within " + EXIT_TIMEOUT);
        }
        process = null;
        paused = false;
        if (!waitFor(EXIT_TIMEOUT, 20, () -> !acceptsConnections(port))) {
            throw new AssertionError(
                    "port " + port + " still accepts connections " + EXIT_TIMEOUT + " after " + name + " ended");
        }
    }

    private static boolean waitForExit(Process current, Duration timeout) {
        try {
            return current.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for pid " + current.pid() + " to end", e);
        }
    }

    private void killOnExit() {
        Process current = process;
        if (current != null) {
            current.destroyForcibly();
        }
    }

    /** Sends SIGSTOP or SIGCONT with kill(1): the JDK sends only SIGTERM and SIGKILL. */
    private void signal(String signal) {
        long pid = process.pid();
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true)
                    .start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(SIGNAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + signal + " " + pid + " (" + describe() + ") failed: " + output);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run kill -" + signal + " for " + describe(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while sending SIG" + signal + " to " + describe(), e);
        }
    }

    private void awaitThreads(String verb, Predicate<Stream<Character>> done) {
        if (!waitFor(SIGNAL_TIMEOUT, 2, () -> done.test(threadStates().stream()))) {
            throw failure("(pid " + process.pid() + ") did not " + verb + " within " + SIGNAL_TIMEOUT + "; threads "
                    + threadStates());
        }
    }

    /**
     * The state letter of each thread of the process, from {@code /proc/<pid>/task/<tid>/stat} ({@code T} when
     * stopped by a signal). Threads that end while they are read are left out.
     */
    private List<Character> threadStates() {
        Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
        List<Path> threads;
        try (Stream<Path> list = Files.list(tasks)) {
            threads = list.toList();
        } catch (IOException e) {
            throw new AssertionError("cannot read the threads of " + describe() + " in " + tasks, e);
        }
        List<Character> states = new ArrayList<>();
        for (Path thread : threads) {
            String stat;
            try {
                stat = Files.readString(thread.resolve("stat"));
            } catch (IOException e) {
                continue; // the thread ended
            }
            // pid (comm) state ...: the name may hold spaces and parentheses, the state follows the last ')'.
            String afterName = stat.substring(stat.lastIndexOf(')') + 1).trim();
            if (!afterName.isEmpty()) {
                states.add(afterName.charAt(0));
            }
        }
        return states;
    }

    /** Polls {@code done} every {@code pollMillis} until it holds (true) or {@code timeout} has passed (false). */
    private static boolean waitFor(Duration timeout, long pollMillis, BooleanSupplier done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(pollMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting", e);
            }
        }
        return true;
    }

    /** An AssertionError that says what went wrong with the server, with the end of its log. */
    private AssertionError failure(String what) {
        return new AssertionError(
                describe() + " " + what + "; its log " + log.toAbsolutePath() + " ends:\n" + logTail());
    }

    /** What a {@link ServerProcess} runs and how it knows the server is ready. */
    public static final class Builder {
        private final String name;
        private final int port;
        private final List<String> command = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Probe probe = ServerProcess::acceptsConnections;
        private Path log;
        private Duration startTimeout = Duration.ofSeconds(30);
        private String installHint = "";

        private Builder(String name, int port) {
            this.name = Objects.requireNonNull(name, "name");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1 to 65535, got " + port);
            }
            this.port = port;
        }

        /** The command and its arguments, the program first; required. */
        public Builder command(List<String> command) {
            this.command.clear();
            this.command.addAll(command);
            return this;
        }

        /** The command and its arguments, the program first; required. */
        public Builder command(String... command) {
            return command(List.of(command));
        }

        /**
         * How {@link #start()} knows the server is ready, such as a PING that must be answered; by default, the
         * port accepts a TCP connection.
         */
        public Builder probe(Probe probe) {
            this.probe = Objects.requireNonNull(probe, "probe");
            return this;
        }

        /**
         * The file the process's output and errors are appended to, kept by {@link #close()}; by default a new
         * temporary file, which {@link #close()} removes.
         */
        public Builder log(Path log) {
            this.log = Objects.requireNonNull(log, "log");
            return this;
        }

        /** Sets an environment variable of the process, over what it inherits from this JVM. */
        public Builder environment(String variable, String value) {
            environment.put(Objects.requireNonNull(variable, "variable"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** How long {@link #start()} waits for the server to be ready; 30 seconds by default. */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = Durations.requirePositive("startTimeout", startTimeout);
            return this;
        }

        /**
         * What the message says to do when the command cannot be run, such as {@code install it with
         * scripts/servers/redis.sh start}.
         */
        public Builder installHint(String installHint) {
            this.installHint = Objects.requireNonNull(installHint, "installHint");
            return this;
        }

        /**
         * The server process, not started yet.
         *
         * @throws IllegalStateException without a command, or when the temporary log file cannot be created
         */
        public ServerProcess build() {
            if (command.isEmpty()) {
                throw new IllegalStateException("no command for " + name);
            }
            if (log != null) {
                return new ServerProcess(this, log, false);
            }
            String prefix = "cachekit-" + name.replaceAll("[^A-Za-z0-9._-]+", "-") + "-" + port + "-";
            try {
                return new ServerProcess(this, Files.createTempFile(prefix, ".log"), true);
            } catch (IOException e) {
                throw new IllegalStateException("cannot create a log file for " + name, e);
            }
        }
    }
}
