package io.cachekit.mongodb;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.io.InputStream;

/**
 * The test server: mongo-java-server (a MongoDB wire-protocol server in Java, with its in-memory backend) on
 * {@code 127.0.0.1:<port>}, in a process of its own so that tests can kill, pause and restart it. It prints
 * {@code READY} once it accepts connections and exits when its standard input closes, so it never outlives
 * the test JVM that started it.
 */
public final class WireProtocolServerMain {
    private WireProtocolServerMain() {}

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        MongoServer server = new MongoServer(new MemoryBackend());
        server.bind("127.0.0.1", port);
        System.out.println("READY " + port);
        System.out.flush();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // The parent never writes; EOF means it is gone.
        }
        server.shutdownNow();
        System.exit(0);
    }
}
