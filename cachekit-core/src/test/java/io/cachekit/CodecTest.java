package io.cachekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.codec.JdkSerializationCodec;
import io.cachekit.codec.JsonCodec;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodecTest {

    record Point(int x, int y) implements Serializable {}

    /** A class a store's writer might plant; it must never be deserialized without being allowed. */
    static final class Gadget implements Serializable {
        private static final long serialVersionUID = 1L;
        final String payload = "x";
    }

    @Test
    void jsonWritesNoTypeInformation() {
        byte[] json = new JsonCodec().encode(List.of(new Point(1, 2)));
        assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo("[{\"x\":1,\"y\":2}]");
    }

    @Test
    void jdkSerializationNeedsAnAllowList() {
        assertThatThrownBy(JdkSerializationCodec::allowing).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JdkSerializationCodec.allowing("!*")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jdkSerializationReadsAllowedClassesOnly() {
        Cache cache = Cachekit.create(CachekitConfig.builder()
                .backend("memory://?storeByValue=true")
                .codec(JdkSerializationCodec.allowing(Point.class.getName()))
                .build());
        cache.set("point", new Point(3, 4));
        assertThat(cache.get("point", Point.class)).isEqualTo(new Point(3, 4));

        cache.set("gadget", new Gadget());
        assertThat(cache.get("gadget", Gadget.class))
                .as("rejected by the filter: a counted miss")
                .isNull();
        assertThat(cache.stats().corruptEntries()).isEqualTo(1);
        assertThat(cache.has("gadget")).as("and deleted").isFalse();
    }

    @Test
    void entriesOfAnotherCodecAreNotDecoded() {
        Cache jdk = Cachekit.create(CachekitConfig.builder()
                .backend("memory://?storeByValue=true")
                .codec(JdkSerializationCodec.allowing("io.cachekit.**"))
                .build());
        jdk.set("p", new Point(1, 1));
        byte[] stored = jdk.unwrap(io.cachekit.spi.CacheBackend.class).get("default", "p");
        Cache json = Cachekit.create(
                CachekitConfig.builder().backend("memory://?storeByValue=true").build());
        json.unwrap(io.cachekit.spi.CacheBackend.class).set("default", "p", stored, null);
        assertThat(json.get("p", Point.class)).isNull();
        assertThat(json.stats().corruptEntries()).isEqualTo(1);
    }
}
