package io.cachekit.memcached;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.memcached.internal.MemcachedKeys;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import net.rubyeye.xmemcached.MemcachedClient;
import org.junit.jupiter.api.Test;

/**
 * How the backend builds its xmemcached client over the two servers of {@code scripts/servers/memcached.sh start}:
 * every server on the ring, reads on the client's reactor threads.
 */
class MemcachedClientSetupTest {

    @Test
    void aClientOfSeveralServersReadsOnItsReactorThreadsAndUsesEveryServer() {
        List<RawMemcached> servers = MemcachedTestServers.raw();
        try (MemcachedBackend backend = MemcachedTestServers.connect(
                MemcachedTestServers.uri(), MemcachedTestServers.context(Duration.ofSeconds(5)))) {
            MemcachedClient client = backend.unwrap(MemcachedClient.class);
            // With read threads, xmemcached's reactor can miss the request to read a connection again and leave
            // a reply unread until its one-second select timeout.
            assertThat(client.getConnector().getReadThreadCount())
                    .as("threads that xmemcached hands reads to")
                    .isZero();
            assertThat(client.getAvailableServers().stream()
                            .map(InetSocketAddress::getPort)
                            .toList())
                    .containsExactlyInAnyOrderElementsOf(
                            servers.stream().map(RawMemcached::port).toList());

            String ns = "setup-" + UUID.randomUUID();
            Set<Integer> holders = new HashSet<>();
            for (int i = 0; i < 40; i++) {
                byte[] value = ("v" + i).getBytes(StandardCharsets.UTF_8);
                backend.set(ns, "k" + i, value, null);
                assertThat(backend.get(ns, "k" + i)).as("k%d read back", i).isEqualTo(value);
                holders.add(backend.serverOf(MemcachedKeys.entry(ns, "k" + i)));
            }
            assertThat(holders).as("servers holding the 40 keys").hasSize(servers.size());
        }
    }
}
