package io.cachekit.redis;

import io.cachekit.tck.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * redis-server processes of a test's own, on a loopback port ({@link ServerProcess}: stop, pause, resume, start
 * again). The binary is {@code redis-server} on the PATH unless the system property {@code cachekit.redis.server}
 * names another; a missing binary fails the test. Nothing is persisted, and the log is {@code redis-<port>.log} in
 * the server's folder.
 */
final class RedisProcess {
    private RedisProcess() {}

    /** Starts a server on {@code port} with its files in {@code dir}, and waits until it answers PING. */
    static ServerProcess start(int port, Path dir, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--port", String.valueOf(port)));
        args.addAll(List.of(extraArgs));
        return start(port, dir, args, RedisProcess::answersPing);
    }

    /**
     * Starts a server that speaks TLS only, on {@code port}, with the given PEM certificate and key, and waits until
     * its port accepts connections.
     */
    static ServerProcess startTls(int port, Path dir, Path cert, Path key, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of(
                "--port", "0",
                "--tls-port", String.valueOf(port),
                "--tls-cert-file", cert.toString(),
                "--tls-key-file", key.toString(),
                "--tls-ca-cert-file", cert.toString(),
                "--tls-auth-clients", "no"));
        args.addAll(List.of(extraArgs));
        return start(port, dir, args, ServerProcess::acceptsConnections);
    }

    private static ServerProcess start(int port, Path dir, List<String> args, ServerProcess.Probe probe) {
        List<String> command = new ArrayList<>(List.of(
                System.getProperty("cachekit.redis.server", "redis-server"),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString()));
        command.addAll(args);
        ServerProcess server = ServerProcess.builder("redis-server", port)
                .command(command)
                .probe(probe)
                .log(dir.resolve("redis-" + port + ".log"))
                .startTimeout(Duration.ofSeconds(15))
                .installHint("install it with scripts/servers/redis.sh start")
                .build();
        server.start();
        return server;
    }

    /** Whether a server answers PING on the port ({@code -NOAUTH} counts: it answers, but wants a user). */
    private static boolean answersPing(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String reply = new String(in.readNBytes(7), StandardCharsets.US_ASCII);
            return reply.startsWith("+PONG") || reply.startsWith("-NOAUTH");
        }
    }
}
