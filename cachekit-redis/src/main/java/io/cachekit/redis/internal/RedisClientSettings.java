package io.cachekit.redis.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the Redis backend sets up Lettuce: its client resources, the options of standalone and Cluster clients,
 * and the password to keep out of driver messages. Not API. Stateless and thread-safe.
 */
public final class RedisClientSettings {
    private static final Logger log = LoggerFactory.getLogger(RedisClientSettings.class);

    private RedisClientSettings() {}

    /** Client resources of the backend's own, which reconnect within a second of the server's return. */
    public static ClientResources newResources() {
        // Reconnect soon after the server comes back: a cache that stays disconnected only costs misses.
        return ClientResources.builder()
                .reconnectDelay(
                        Delay.exponential(Duration.ofMillis(1), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
    }

    /**
     * Options of a client of one server: commands fail at once while the connection is down, instead of queueing
     * until they time out, and the client reconnects in the background.
     */
    public static ClientOptions standaloneOptions(Duration timeout, Duration connectTimeout) {
        return clientOptions(
                        ClientOptions.builder(),
                        ClientOptions.DisconnectedBehavior.REJECT_COMMANDS,
                        timeout,
                        connectTimeout)
                .build();
    }

    private static <B extends ClientOptions.Builder> B clientOptions(
            B builder, ClientOptions.DisconnectedBehavior whileDown, Duration timeout, Duration connectTimeout) {
        builder.autoReconnect(true)
                .disconnectedBehavior(whileDown)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(connectTimeout)
                        .keepAlive(true)
                        .build());
        return builder;
    }

    /** Options of a Cluster client: commands wait for a node's connection, and the topology is refreshed. */
    public static ClusterClientOptions clusterOptions(Duration timeout, Duration connectTimeout) {
        ClusterClientOptions.Builder builder = ClusterClientOptions.builder();
        // Node connections open lazily, on a node's first command: rejecting commands while one connects would
        // fail them, so they wait for it, bounded by the command timeout.
        clientOptions(builder, ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS, timeout, connectTimeout);
        // Adaptive refresh (on MOVED, ASK, reconnects) is on by default; a periodic one also finds new nodes.
        return builder.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(60))
                        .build())
                .build();
    }

    /** The password to scrub from driver messages; null when there is none or it cannot be had at once. */
    public static @Nullable String password(List<RedisURI> nodes) {
        RedisCredentialsProvider provider = nodes.get(0).getCredentialsProvider();
        if (provider == null) {
            return null;
        }
        try {
            // URI credentials resolve at once, without I/O; a slow custom provider is not waited for.
            RedisCredentials credentials = provider.resolveCredentials().block(Duration.ofMillis(100));
            return credentials != null && credentials.hasPassword() ? new String(credentials.getPassword()) : null;
        } catch (RuntimeException e) {
            log.debug("Credentials not resolved at creation; driver messages are redacted by URI only", e);
            return null;
        }
    }
}
