package io.cachekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.Cache;
import io.cachekit.Tags;
import io.cachekit.spring.app.Calls;
import io.cachekit.spring.app.ProfileService;
import io.cachekit.spring.app.TestApplication;
import io.cachekit.spring.app.UserRepository;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cache.CacheManager;

/**
 * Tags in a Spring application: {@code @Cached(tags)} and {@code @CacheEvict(tags)} on beans, tags on the Spring
 * cache bridge, and the actuator's {@code tags} entry, each counted by the real method's calls.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TagsTest {
    private static final AtomicLong IDS = new AtomicLong(7000);

    @LocalServerPort
    int port;

    @Autowired
    ProfileService profiles;

    @Autowired
    UserRepository users;

    @Autowired
    CacheManager cacheManager;

    @Autowired
    Cache cache;

    @Autowired
    Calls calls;

    private Http http;
    private long id;

    @BeforeEach
    void setUp() {
        http = new Http(port);
        id = IDS.incrementAndGet();
    }

    @Test
    void taggedBeanMethodsAreInvalidatedByCacheEvictTheCacheAndTheActuator() {
        profiles.card(id);
        profiles.card(id);
        profiles.profile(id);
        assertThat(calls.get("card:" + id)).isEqualTo(1);

        profiles.userChanged(id);
        profiles.card(id);
        assertThat(calls.get("card:" + id)).as("@CacheEvict(tags)").isEqualTo(2);

        cache.invalidateTags("user:" + id);
        profiles.card(id);
        assertThat(calls.get("card:" + id))
                .as("Cache.invalidateTags, from another namespace")
                .isEqualTo(3);

        assertThat(http.send("DELETE", "/actuator/cachekit/tags/user:" + id).statusCode())
                .isEqualTo(204);
        profiles.card(id);
        profiles.card(id + 1000);
        assertThat(calls.get("card:" + id)).as("the actuator").isEqualTo(4);
        profiles.profile(id);
        assertThat(calls.get("profile:" + id)).as("an untagged method").isEqualTo(1);
    }

    @Test
    void springCachesCarryTheirConfiguredTagsAndTheBridgeInvalidatesTags() {
        users.team("t" + id);
        users.team("t" + id);
        assertThat(calls.get("team:t" + id)).isEqualTo(1);
        assertThat(http.send("DELETE", "/actuator/cachekit/tags/teams").statusCode())
                .isEqualTo(204);
        users.team("t" + id);
        assertThat(calls.get("team:t" + id))
                .as("@Cacheable entries of a tagged cache")
                .isEqualTo(2);

        CachekitSpringCache springCache = (CachekitSpringCache) cacheManager.getCache("users");
        springCache.put("k" + id, "v", Tags.of("a/b", "c" + id));
        assertThat(springCache.get("k" + id)).isNotNull();
        springCache.invalidateTags("c" + id);
        assertThat(springCache.get("k" + id)).isNull();

        springCache.put("k" + id, "v", Tags.of("a/b"));
        assertThat(http.send("DELETE", "/actuator/cachekit/tags/a/b").statusCode())
                .as("the rest of the path is the tag")
                .isEqualTo(204);
        assertThat(springCache.get("k" + id)).isNull();
    }

    @Test
    void theActuatorReportsWhereTagsLiveAndRefusesBadTags() {
        assertThat(http.get("/actuator/cachekit").body()).contains("\"tags\":{\"namespace\":\"_tags\"");
        assertThat(http.send("DELETE", "/actuator/cachekit/other/x").statusCode())
                .isEqualTo(400);
        assertThat(http.send("DELETE", "/actuator/cachekit/tags/" + "x".repeat(Tags.MAX_LENGTH + 1))
                        .statusCode())
                .isEqualTo(400);
    }
}
