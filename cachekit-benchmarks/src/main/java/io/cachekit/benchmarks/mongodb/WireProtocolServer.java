package io.cachekit.benchmarks.mongodb;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.concurrent.CountDownLatch;

/**
 * The server of the MongoDB benchmark group: mongo-java-server (a MongoDB wire-protocol server in Java, with its
 * in-memory backend) on {@code 127.0.0.1:<port>}, in a JVM of its own, as {@code scripts/bench-servers/mongodb.sh}
 * starts it. A server inside each benchmark fork would share that fork's JIT, heap and garbage collector with the
 * client it serves, so both sides of a comparison would measure the server's warm-up as much as their own code.
 * Runs until the process is stopped.
 */
public final class WireProtocolServer {
    private WireProtocolServer() {}

    /**
     * Binds the server and blocks for good.
     *
     * @param args one argument, the TCP port
     * @throws InterruptedException never in practice: the main thread waits forever
     * @throws IllegalArgumentException when the port is missing or not a number
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1 || !args[0].matches("\\d{1,5}")) {
            throw new IllegalArgumentException("usage: WireProtocolServer PORT (a TCP port number)");
        }
        int port = Integer.parseInt(args[0]);
        MongoServer server = new MongoServer(new MemoryBackend());
        server.bind("127.0.0.1", port);
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "mongo-server-shutdown"));
        System.out.println("mongo-java-server listening on 127.0.0.1:" + port);
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
