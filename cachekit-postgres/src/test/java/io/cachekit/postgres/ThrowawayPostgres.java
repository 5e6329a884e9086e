package io.cachekit.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL cluster of a test's own, on its own port, run by {@code scripts/servers/postgres.sh} (which
 * finds the installed server and runs it as the postgres user), so that a test can stop and start it
 * without disturbing the shared server. The script's path can be set with the system property {@code
 * cachekit.postgres.script}.
 */
final class ThrowawayPostgres {
    private static final Path SCRIPT = Path.of(System.getProperty(
            "cachekit.postgres.script",
            Path.of("..", "scripts", "servers", "postgres.sh").toString()));

    private final int port;
    private final String name;

    ThrowawayPostgres(int port, String name) {
        this.port = port;
        this.name = name;
    }

    int port() {
        return port;
    }

    /** Creates the cluster if needed and starts it; returns once it answers. */
    void start() {
        run("start");
    }

    /** Shuts the server down, keeping its data for the next {@link #start()}. */
    void halt() {
        run("halt");
    }

    /** SIGSTOPs the server's processes: they keep their connections and answer nothing. */
    void pause() {
        run("pause");
    }

    /** SIGCONTs a paused server; does nothing when none runs. */
    void resume() {
        run("resume");
    }

    /** Shuts the server down and removes its data. */
    void stop() {
        run("stop");
    }

    private void run(String command) {
        assertThat(SCRIPT)
                .as("the server script (set -Dcachekit.postgres.script)")
                .isRegularFile();
        ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString(), command).redirectErrorStream(true);
        builder.environment().put("CACHEKIT_PG_PORT", Integer.toString(port));
        builder.environment().put("CACHEKIT_PG_NAME", name);
        try {
            Path log = Files.createTempFile("cachekit-postgres-" + command, ".log");
            builder.redirectOutput(log.toFile());
            Process process = builder.start();
            boolean finished = process.waitFor(120, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Files.deleteIfExists(log);
            assertThat(finished)
                    .as("postgres.sh %s on port %d finished; output:%n%s", command, port, output)
                    .isTrue();
            assertThat(process.exitValue())
                    .as("postgres.sh %s on port %d; output:%n%s", command, port, output)
                    .isZero();
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + SCRIPT + " " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + SCRIPT + " " + command, e);
        }
    }
}
