package io.cachekit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.Test;

/**
 * The tests run on the Lettuce line the build asked for: the oldest supported one by default (Spring Boot 4.0's),
 * the newest with the profile {@code lettuce-newest}. Without this check a build could quietly test one line twice.
 */
class LettuceLineTest {
    @Test
    void theLettuceOnTheClassPathIsTheOneTheBuildNamed() {
        String expected = System.getProperty("cachekit.redis.lettuce.version");
        assertThat(expected).as("set by the surefire configuration").isNotBlank();
        String actual = RedisClient.class.getPackage().getImplementationVersion();
        assertThat(actual).as("Lettuce's jar manifest").startsWith(expected);
        System.out.println("Redis tests run on Lettuce " + actual);
    }
}
