package io.cachekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.spring.app.Calls;
import io.cachekit.spring.app.ProfileService;
import io.cachekit.spring.app.TestApplication;
import io.cachekit.spring.app.User;
import io.cachekit.tck.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** {@code @Cached} and {@code @CacheEvict} (Cachekit's) on a Spring bean, through the starter's advisor. */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MethodCachingTest {
    private static final AtomicLong IDS = new AtomicLong(3000);

    @Autowired
    ProfileService profiles;

    @Autowired
    Calls calls;

    @Autowired
    ManualClock clock;

    @Autowired
    Cache cache;

    private long id;

    @BeforeEach
    void nextId() {
        id = IDS.incrementAndGet();
    }

    @Test
    void theBeanIsProxied() {
        assertThat(AopUtils.isAopProxy(profiles)).isTrue();
    }

    @Test
    void cachedMethodRunsOnceAndReturnsTheDeclaredType() {
        User first = profiles.profile(id);
        User second = profiles.profile(id);
        assertThat(second).isEqualTo(first).isEqualTo(new User(id, "user" + id));
        assertThat(calls.get("profile:" + id)).isEqualTo(1);
    }

    @Test
    void eachAnnotationHasItsOwnTtl() {
        profiles.profile(id); // 10 minutes
        profiles.weather("city" + id); // 1 minute
        clock.advance(Duration.ofSeconds(61));
        profiles.profile(id);
        assertThat(profiles.weather("city" + id)).isEqualTo("sunny in city" + id + " #2");
        assertThat(calls.get("profile:" + id)).isEqualTo(1);
        assertThat(calls.get("weather:city" + id)).isEqualTo(2);
        clock.advance(Duration.ofMinutes(9));
        profiles.profile(id);
        assertThat(calls.get("profile:" + id)).isEqualTo(2);
    }

    @Test
    void keyTemplatesAreReadableKeys() {
        profiles.weather("Oslo" + id);
        assertThat(cache.get("weather:Oslo" + id, String.class)).isEqualTo("sunny in Oslo" + id + " #1");
    }

    @Test
    void cacheEvictRemovesTheEntryOfTheNamedMethod() {
        profiles.profile(id);
        profiles.forget(id);
        profiles.profile(id);
        assertThat(calls.get("forget:" + id)).isEqualTo(1);
        assertThat(calls.get("profile:" + id)).isEqualTo(2);
    }

    @Test
    void completableFutureMethodsAreCachedWhenTheyComplete() throws Exception {
        assertThat(profiles.profileAsync(id).get(10, TimeUnit.SECONDS)).isEqualTo(new User(id, "async" + id));
        assertThat(profiles.profileAsync(id).get(10, TimeUnit.SECONDS)).isEqualTo(new User(id, "async" + id));
        assertThat(calls.get("profileAsync:" + id)).isEqualTo(1);
    }

    @Test
    void annotationNamespacesAreUsed() {
        List<User> report = profiles.report("r" + id);
        assertThat(profiles.report("r" + id)).isEqualTo(report);
        assertThat(calls.get("report:r" + id)).isEqualTo(1);
        assertThat(cache.withNamespace("reports").stats().hits()).isPositive();
    }

    @Test
    void bypassSkipsTheCache() {
        profiles.profile(id);
        Cachekit.bypass(() -> profiles.profile(id));
        assertThat(calls.get("profile:" + id)).isEqualTo(2);
    }
}
