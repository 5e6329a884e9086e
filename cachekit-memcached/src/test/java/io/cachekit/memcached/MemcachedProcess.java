package io.cachekit.memcached;

import io.cachekit.tck.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * memcached processes of a test's own, on a loopback port ({@link ServerProcess}: kill, pause, resume, start
 * again). The binary is {@code memcached} on the PATH unless the system property {@code cachekit.memcached.server}
 * names another; a missing binary fails the test. As root it runs as {@code nobody} (memcached refuses root
 * otherwise).
 */
final class MemcachedProcess {
    private MemcachedProcess() {}

    /**
     * Starts a server on {@code port}, logging to {@code memcached-<port>.log} in {@code dir}, and waits until it
     * answers {@code version}.
     */
    static ServerProcess start(int port, Path dir, String... extraArgs) {
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
        command.addAll(List.of(extraArgs));
        ServerProcess server = ServerProcess.builder("memcached", port)
                .command(command)
                .probe(p -> new RawMemcached("127.0.0.1", p).answers())
                .log(dir.resolve("memcached-" + port + ".log"))
                .startTimeout(Duration.ofSeconds(15))
                .installHint("install it with scripts/servers/memcached.sh start")
                .build();
        server.start();
        return server;
    }
}
