package io.cachekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.Cache;
import io.cachekit.CacheBackendException;
import io.cachekit.Cachekit;
import io.cachekit.tck.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rediss://} against a TLS-only redis-server of the test's own (port 6392 or {@code
 * cachekit.redis.tls.port}), with a self-signed certificate made by {@code openssl}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisTlsTest {
    private static final int PORT = Integer.getInteger("cachekit.redis.tls.port", 6392);

    @TempDir
    static Path dir;

    private ServerProcess server;

    @BeforeAll
    void startServer() throws IOException, InterruptedException {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "rsa:2048",
                        "-nodes",
                        "-days",
                        "1",
                        "-subj",
                        "/CN=127.0.0.1",
                        "-addext",
                        "subjectAltName=IP:127.0.0.1",
                        "-keyout",
                        key.toString(),
                        "-out",
                        cert.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile())
                .start();
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).as("openssl finished").isTrue();
        assertThat(openssl.exitValue())
                .as("openssl made a certificate: %s", Files.readString(dir.resolve("openssl.log")))
                .isZero();
        server = RedisProcess.startTls(PORT, dir, cert, key, "--user", "app", "on", ">tls-pw", "~*", "&*", "+@all");
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void connectsOverTls() {
        try (Cache cache =
                Cachekit.fromUri("rediss://app:tls-pw@127.0.0.1:" + PORT + "/1?verifyPeer=none&namespace=tls")) {
            cache.set("k", "over TLS");
            assertThat(cache.get("k", String.class)).isEqualTo("over TLS");
        }
    }

    @Test
    void verifiesThePeerByDefault() {
        // The certificate is self-signed, so full verification (the default) must refuse it.
        assertThatThrownBy(() -> Cachekit.fromUri("rediss://app:tls-pw@127.0.0.1:" + PORT))
                .isInstanceOf(CacheBackendException.class)
                .hasMessageNotContaining("tls-pw");
    }

    @Test
    void plainRedisCannotTalkToATlsServer() {
        assertThatThrownBy(() ->
                        Cachekit.fromUri("redis://app:tls-pw@127.0.0.1:" + PORT + "?connectTimeout=2s&timeout=1s"))
                .isInstanceOf(CacheBackendException.class);
    }
}
