package io.cachekit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.tck.CacheBackendFailureContract;
import io.cachekit.tck.ServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The failure contract on a Redis Cluster of the test's own: three masters on ports 7111-7113 (or {@code
 * cachekit.redis.cluster.failure.ports}), created with {@code redis-cli --cluster create}. Stopping the store
 * kills every node; starting it brings them back with their cluster configuration, so the same cluster
 * forms again (empty: nothing is persisted). Pausing sends SIGSTOP to every node.
 */
class RedisClusterFailureTest extends CacheBackendFailureContract {
    private static final String PORTS = System.getProperty("cachekit.redis.cluster.failure.ports", "7111,7112,7113");

    private final List<ServerProcess> nodes = new ArrayList<>();

    @BeforeAll
    void startCluster() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("cachekit-redis-cluster-failure");
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        for (String p : PORTS.split(",")) {
            int port = Integer.parseInt(p.trim());
            Path nodeDir = Files.createDirectories(dir.resolve(Integer.toString(port)));
            nodes.add(RedisProcess.start(
                    port,
                    nodeDir,
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    nodeDir.resolve("nodes.conf").toString(),
                    "--cluster-node-timeout",
                    "5000"));
            create.add("127.0.0.1:" + port);
        }
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Process process = new ProcessBuilder(create).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0)
                .as("redis-cli --cluster create: %s", output)
                .isTrue();
        awaitClusterOk();
    }

    @AfterAll
    void stopCluster() {
        nodes.forEach(ServerProcess::close);
    }

    @Override
    protected String storeUri() {
        StringBuilder uri = new StringBuilder("redis-cluster://");
        for (ServerProcess node : nodes) {
            uri.append(uri.length() > "redis-cluster://".length() ? "," : "")
                    .append("127.0.0.1:")
                    .append(node.port());
        }
        return uri.append("?maxValueBytes=1048576").toString();
    }

    @Override
    protected void stopStore() {
        nodes.forEach(ServerProcess::stop);
    }

    @Override
    protected void startStore() {
        boolean restarted = false;
        for (ServerProcess node : nodes) {
            if (!node.running()) {
                node.start();
                restarted = true;
            }
        }
        if (restarted) {
            awaitClusterOk();
        }
    }

    /** New or restarted nodes answer CLUSTERDOWN until they have met and agree on the slots. */
    private void awaitClusterOk() {
        Awaitility.await("the cluster is ok")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> nodes.stream().allMatch(RedisClusterFailureTest::clusterOk));
    }

    private static boolean clusterOk(ServerProcess node) {
        try {
            Process p = new ProcessBuilder("redis-cli", "-p", Integer.toString(node.port()), "cluster", "info")
                    .redirectErrorStream(true)
                    .start();
            String info = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(10, TimeUnit.SECONDS) && info.contains("cluster_state:ok");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    protected void pauseStore() {
        nodes.forEach(ServerProcess::pause);
    }

    @Override
    protected void resumeStore() {
        nodes.forEach(ServerProcess::resume);
    }

    @Override
    protected int oversizedValueBytes() {
        return 2 * 1024 * 1024;
    }
}
