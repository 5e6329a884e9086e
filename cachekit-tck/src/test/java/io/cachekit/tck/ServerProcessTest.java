package io.cachekit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ServerProcess} on a real process: {@link EchoServerMain} in a JVM of its own, on a free loopback port. */
class ServerProcessTest {
    @TempDir
    Path dir;

    @Test
    void startsUntilTheServerAnswersAndStopsUntilThePortIsClosed() throws IOException {
        try (ServerProcess server = echoServer(freePort())) {
            server.start();
            assertThat(server.running()).isTrue();
            assertThat(echo(server.port(), "hello")).isEqualTo("hello");
            server.start(); // idempotent: the same process goes on
            assertThat(Files.readString(server.log())).containsOnlyOnce("echo server on port");

            server.stop();
            assertThat(server.running()).isFalse();
            assertThat(ServerProcess.acceptsConnections(server.port())).isFalse();

            server.start();
            assertThat(echo(server.port(), "again")).isEqualTo("again");
            assertThat(Files.readString(server.log()))
                    .as("the log is appended to across restarts")
                    .contains("echo server on port " + server.port() + "\necho server on port " + server.port());
        }
    }

    @Test
    void aPausedServerAnswersNothingUntilItIsResumed() throws IOException {
        try (ServerProcess server = echoServer(freePort());
                Socket socket = new Socket()) {
            server.start();
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 1000);
            socket.setSoTimeout(500);
            PrintWriter out = writer(socket);
            BufferedReader in = reader(socket);
            out.println("before");
            assertThat(in.readLine()).isEqualTo("before");

            server.pause();
            out.println("while paused");
            assertThatThrownBy(in::readLine).isInstanceOf(SocketTimeoutException.class);

            server.resume();
            socket.setSoTimeout(10_000);
            assertThat(in.readLine()).as("the request sent while paused").isEqualTo("while paused");
        }
    }

    @Test
    void killEndsAPausedServer() {
        try (ServerProcess server = echoServer(freePort())) {
            server.start();
            server.pause();
            server.kill();
            assertThat(server.running()).isFalse();
            assertThat(ServerProcess.acceptsConnections(server.port())).isFalse();
            server.resume(); // nothing to resume: no error
        }
    }

    @Test
    void aServerThatExitsAtStartFailsWithTheEndOfItsLog() {
        ServerProcess server = ServerProcess.builder("broken", freePort())
                .command("sh", "-c", "echo cannot open the data folder; exit 3")
                .log(dir.resolve("broken.log"))
                .build();
        assertThatThrownBy(server::start)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("broken on port " + server.port() + " exited with code 3")
                .hasMessageContaining("cannot open the data folder");
        assertThat(server.running()).isFalse();
    }

    @Test
    void aCommandThatCannotBeRunFailsWithTheHint() {
        ServerProcess server = ServerProcess.builder("missing", freePort())
                .command(dir.resolve("no-such-server").toString())
                .installHint("install it with scripts/servers/missing.sh start")
                .build();
        assertThatThrownBy(server::start)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("install it with scripts/servers/missing.sh start");
        server.close();
    }

    @Test
    void aPortTakenByAnotherProcessFailsTheStart() throws IOException {
        try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                ServerProcess server = echoServer(other.getLocalPort())) {
            assertThatThrownBy(server::start)
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("already taken by another process");
            assertThat(server.running()).isFalse();
        }
    }

    @Test
    void aServerThatIsNotReadyInTimeIsKilled() {
        ServerProcess server = ServerProcess.builder("slow", freePort())
                .command(java(), "-cp", System.getProperty("java.class.path"), EchoServerMain.class.getName(), "0")
                .probe(port -> false)
                .startTimeout(Duration.ofSeconds(1))
                .build();
        assertThatThrownBy(server::start)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("slow on port " + server.port() + " is not ready after PT1S");
        assertThat(server.running()).isFalse();
        server.close();
    }

    private ServerProcess echoServer(int port) {
        return ServerProcess.builder("echo server", port)
                .command(
                        java(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        EchoServerMain.class.getName(),
                        Integer.toString(port))
                .log(dir.resolve("echo-" + port + ".log"))
                .build();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError("no free port", e);
        }
    }

    private static String echo(int port, String line) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            socket.setSoTimeout(10_000);
            writer(socket).println(line);
            return reader(socket).readLine();
        }
    }

    private static PrintWriter writer(Socket socket) throws IOException {
        return new PrintWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8), true);
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }
}
