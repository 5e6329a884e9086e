package io.cachekit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.CacheKeyIgnore;
import io.cachekit.key.KeyGenerator;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The default key of a one-string method is built without the generator, and must be exactly its key. */
class DefaultKeyTest {
    interface Api {
        String one(String name);

        String ignored(@CacheKeyIgnore String name);

        String two(String a, String b);
    }

    @Test
    void theShortcutForOneStringMakesTheStandardKey() throws Exception {
        Method one = Api.class.getMethod("one", String.class);
        assertThat(MethodCaching.oneStringParameter(one)).isTrue();
        MethodCaching.KeyFunction key = MethodCaching.defaultKey(KeyGenerator.standard(), one, "p:");
        List<String> names = new ArrayList<>(Arrays.asList(
                "",
                "user:1",
                "a b,c[d]{e}",
                "quote\"d",
                "back\\slash",
                "tab\tand\nnewline",
                "\u007f",
                "caf\u00e9",
                "pair \ud83d\ude00",
                "lone \ud83d high",
                "lone \ude00 low",
                null));
        for (int length = 58; length <= 64; length++) {
            names.add("x".repeat(length));
        }
        for (String name : names) {
            Object[] args = {name};
            assertThat(key.key(args))
                    .as("key of %s", name)
                    .isEqualTo("p:" + KeyGenerator.standard().generate(one, args));
        }
    }

    @Test
    void onlyOneKeyedStringParameterTakesTheShortcut() throws Exception {
        assertThat(MethodCaching.oneStringParameter(Api.class.getMethod("ignored", String.class)))
                .isFalse();
        assertThat(MethodCaching.oneStringParameter(Api.class.getMethod("two", String.class, String.class)))
                .isFalse();
    }
}
