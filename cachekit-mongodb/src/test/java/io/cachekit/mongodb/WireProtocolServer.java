package io.cachekit.mongodb;

import io.cachekit.tck.ServerProcess;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;

/**
 * mongo-java-server processes of the tests' own on a fixed loopback port ({@link WireProtocolServerMain}, run as a
 * {@link ServerProcess}): started, killed, paused (SIGSTOP) and resumed (SIGCONT) for real, and started again on
 * the same port. A server that does not come up fails the test that needs it; nothing is skipped. Their logs go to
 * {@code target/mongo-servers/server-<port>.log}.
 *
 * <p>It is a wire-protocol server, not mongod: it has no TTL monitor (documents with a past {@code expiresAt}
 * stay until deleted), no replica sets, and no index key size limit, and it accepts an index whose name is
 * taken with other options instead of refusing it.
 */
final class WireProtocolServer {
    private WireProtocolServer() {}

    /** The server for {@code port}, not started yet; {@link ServerProcess#start()} starts it. */
    static ServerProcess onPort(int port) {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        return ServerProcess.builder("the test MongoDB server", port)
                .command(
                        java,
                        "-Xmx512m",
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        "-cp",
                        System.getProperty("java.class.path"),
                        WireProtocolServerMain.class.getName(),
                        Integer.toString(port))
                .log(Path.of("target", "mongo-servers", "server-" + port + ".log"))
                .startTimeout(Duration.ofSeconds(60))
                .build();
    }

    /** {@code mongodb://127.0.0.1:<port>} of {@code server}. */
    static String uri(ServerProcess server) {
        return "mongodb://" + server.address();
    }
}
