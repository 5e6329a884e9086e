package io.cachekit.dynamodb;

import io.cachekit.tck.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * dynalite processes of a test's own, on a loopback port ({@link ServerProcess}: kill, pause, resume, start again).
 * Each keeps its tables in a LevelDB folder ({@code --path}), so they survive a restart as a real DynamoDB table
 * survives an outage.
 *
 * <p>dynalite is run from where {@code scripts/servers/dynamodb.sh} installs it: the folder named by the system
 * property {@code cachekit.dynalite.dir} (the module's pom sets it), or the environment variable {@code
 * CACHEKIT_DYNALITE_DIR}. A missing installation fails the test with the command that installs it.
 */
final class DynaliteProcess {
    private DynaliteProcess() {}

    /**
     * Starts dynalite on {@code port} with its data and its log ({@code dynalite-<port>.log}) in {@code dataDir},
     * and waits until it accepts connections.
     */
    static ServerProcess start(int port, Path dataDir) {
        ServerProcess server = ServerProcess.builder("dynalite", port)
                .command(
                        System.getProperty("cachekit.node", "node"),
                        cli().toString(),
                        "--host",
                        "127.0.0.1",
                        "--port",
                        String.valueOf(port),
                        "--path",
                        dataDir.resolve("data").toString(),
                        "--createTableMs",
                        "50")
                .log(dataDir.resolve("dynalite-" + port + ".log"))
                .installHint("install Node.js; see scripts/servers/dynamodb.sh")
                .build();
        server.start();
        return server;
    }

    /**
     * The cli.js of the installed dynalite: in {@code -Dcachekit.dynalite.dir}, {@code $CACHEKIT_DYNALITE_DIR},
     * {@code $CACHEKIT_CACHE_DIR/dynalite-4.0.0} or {@code ~/.cache/cachekit/dynalite-4.0.0}, the first that
     * holds it.
     */
    private static Path cli() {
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
}
