package io.cachekit;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.internal.Types;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Point 1 of issue 8: generic return types are resolved against the proxied interface before decoding. */
class GenericReturnTypesTest {

    public record User(long id, String name) {}

    public interface Repo<T> {
        @Cached
        T find(long id);

        @Cached
        List<? extends T> all();

        @Cached
        T[] array();

        @Cached
        Map<String, List<Optional<T>>> nested();

        @Cached
        CompletableFuture<List<T>> async();
    }

    public interface UserRepo extends Repo<User> {}

    /** A repository whose interface leaves T open: resolved against the target's class instead. */
    static final class Users implements UserRepo {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public User find(long id) {
            calls.incrementAndGet();
            return new User(id, "u" + id);
        }

        @Override
        public List<User> all() {
            calls.incrementAndGet();
            return List.of(new User(1, "a"));
        }

        @Override
        public User[] array() {
            calls.incrementAndGet();
            return new User[] {new User(2, "b")};
        }

        @Override
        public Map<String, List<Optional<User>>> nested() {
            calls.incrementAndGet();
            return Map.of("k", List.of(Optional.of(new User(3, "c")), Optional.empty()));
        }

        @Override
        public CompletableFuture<List<User>> async() {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(List.of(new User(4, "d")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory://?storeByValue=true", "memory://"})
    @SuppressWarnings("unchecked")
    void hitsDecodeIntoTheResolvedTypes(String uri) throws Exception {
        for (Class<?> proxied : List.of(UserRepo.class, Repo.class)) {
            try (Cache cache = Cachekit.fromUri(uri)) {
                Users real = new Users();
                Repo<User> repo = cache.proxy((Class<Repo<User>>) proxied, real);
                for (int round = 0; round < 2; round++) {
                    User user = repo.find(7);
                    assertThat(user).isEqualTo(new User(7, "u7"));
                    User first = repo.all().get(0);
                    assertThat(first.name()).isEqualTo("a");
                    User[] array = repo.array();
                    assertThat(array[0].name()).isEqualTo("b");
                    Optional<User> nested = repo.nested().get("k").get(0);
                    assertThat(nested.orElseThrow().name()).isEqualTo("c");
                    assertThat(repo.nested().get("k").get(1)).isEmpty();
                    User async = repo.async().get(10, TimeUnit.SECONDS).get(0);
                    assertThat(async.name()).isEqualTo("d");
                }
                assertThat(real.calls)
                        .as(proxied.getSimpleName() + " on " + uri)
                        .hasValue(5);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"find", "all", "array", "nested", "async"})
    void typeVariablesWildcardsArraysAndNestedGenericsResolve(String method) throws Exception {
        java.lang.reflect.Type declared = java.util.Arrays.stream(Repo.class.getMethods())
                .filter(m -> m.getName().equals(method))
                .findFirst()
                .orElseThrow()
                .getGenericReturnType();
        String resolved = Types.resolve(declared, UserRepo.class).getTypeName();
        String user = User.class.getName();
        assertThat(resolved)
                .isEqualTo(
                        switch (method) {
                            case "find" -> user;
                            case "all" -> "java.util.List<" + user + ">";
                            case "array" -> user + "[]";
                            case "nested" ->
                                "java.util.Map<java.lang.String, java.util.List<java.util.Optional<" + user + ">>>";
                            default -> "java.util.concurrent.CompletableFuture<java.util.List<" + user + ">>";
                        });
        assertThat(Types.hasVariables(Types.resolve(declared, UserRepo.class))).isFalse();
    }
}
