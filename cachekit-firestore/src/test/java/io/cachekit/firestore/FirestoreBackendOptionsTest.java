package io.cachekit.firestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import io.cachekit.BackendStatus;
import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.StoreUnreachableException;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackendProvider;
import java.net.URI;
import java.time.Duration;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The options class, the URI form and the provider; nothing here needs an emulator. */
class FirestoreBackendOptionsTest {

    @Test
    void aUriWithEveryOption() {
        FirestoreBackendOptions options = FirestoreBackendProvider.toOptions(
                URI.create(
                        "firestore://my-project?database=cache-db&collection=tenants/a/cache&emulatorHost=127.0.0.1:8080&batchSize=100"));
        assertThat(options.projectId()).isEqualTo("my-project");
        assertThat(options.databaseId()).isEqualTo("cache-db");
        assertThat(options.collection()).isEqualTo("tenants/a/cache");
        assertThat(options.emulatorHost()).isEqualTo("127.0.0.1:8080");
        assertThat(options.batchSize()).isEqualTo(100);
        assertThat(options.firestore()).isNull();
        assertThat(options.credentials()).isNull();
    }

    @Test
    void defaultsLeaveProjectDatabaseAndCredentialsToTheEnvironment() {
        FirestoreBackendOptions options = FirestoreBackendProvider.toOptions(URI.create("firestore:///"));
        assertThat(options.projectId()).isNull();
        assertThat(options.databaseId()).isNull();
        assertThat(options.collection()).isEqualTo("cachekit");
        assertThat(options.emulatorHost()).isNull();
        assertThat(options.batchSize()).isEqualTo(500);
        assertThat(FirestoreBackendProvider.toOptions(URI.create("firestore://p?database=(default)"))
                        .databaseId())
                .isEqualTo("(default)");
        assertThat(FirestoreBackendProvider.toOptions(URI.create("firestore://?collection=c"))
                        .projectId())
                .isNull();
        assertThat(FirestoreBackendProvider.toOptions(URI.create("firestore://[::1]?emulatorHost=[::1]:8080"))
                        .emulatorHost())
                .isEqualTo("[::1]:8080");
    }

    @Test
    void anUnknownOptionNamesTheValidOnes() {
        assertThatThrownBy(() -> FirestoreBackendProvider.toOptions(URI.create("firestore://p?table=x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'table'")
                .hasMessageContaining("batchSize, collection, database, emulatorHost");
    }

    @Test
    void invalidValuesNameTheOption() {
        String[][] cases = {
            {"firestore://p?database=Bad_Name", "databaseId"},
            {"firestore://p?database=abc", "databaseId"},
            {"firestore://p?collection=a/b", "collection"},
            {"firestore://p?collection=__x__", "collection"},
            {"firestore://p?collection=", "collection"},
            {"firestore://p?emulatorHost=localhost", "emulatorHost"},
            {"firestore://p?emulatorHost=localhost:0", "emulatorHost"},
            {"firestore://p?emulatorHost=localhost:70000", "emulatorHost"},
            {"firestore://p?batchSize=0", "batchSize"},
            {"firestore://p?batchSize=501", "batchSize"},
            {"firestore://p?batchSize=many", "batchSize"},
            {"firestore://p/cachekit", "collection"},
            {"redis://p", "Firestore URI"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> FirestoreBackendProvider.toOptions(URI.create(c[0])))
                    .as(c[0])
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(c[1]);
        }
    }

    @Test
    void credentialsNeverComeFromTheUriNorShowInMessages() {
        assertThatThrownBy(() -> FirestoreBackendProvider.toOptions(URI.create("firestore://user:s3cret@p")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Application Default Credentials")
                .hasMessageNotContaining("s3cret");
        GoogleCredentials credentials = GoogleCredentials.create(new AccessToken("tok3n-s3cret", null));
        FirestoreBackendOptions options = FirestoreBackendOptions.builder()
                .projectId("p")
                .credentials(credentials)
                .build();
        assertThat(options.credentials()).isSameAs(credentials);
        assertThat(options.toString()).doesNotContain("tok3n-s3cret").contains("credentials=***");
        assertThat(options.target()).doesNotContain("tok3n-s3cret");
    }

    @Test
    void theBuilderFailsFast() {
        FirestoreBackendOptions.Builder builder = FirestoreBackendOptions.builder();
        assertThatThrownBy(() -> builder.projectId(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> builder.projectId("has space")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.projectId("a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.collection(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> builder.firestore(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> builder.credentials(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> builder.batchSize(-1)).isInstanceOf(IllegalArgumentException.class);
        FirestoreBackendOptions options = builder.projectId("p").batchSize(20).build();
        assertThat(options.toBuilder().build().toString()).isEqualTo(options.toString());
        assertThat(options.target())
                .contains("project p")
                .contains("database (default)")
                .contains("collection cachekit");
    }

    @Test
    void aSuppliedClientExcludesTheSettingsOfAnOwnedOne() {
        com.google.cloud.firestore.Firestore client = com.google.cloud.firestore.FirestoreOptions.newBuilder()
                .setProjectId("demo-unused")
                .setEmulatorHost("127.0.0.1:1")
                .build()
                .getService();
        try {
            assertThatThrownBy(() -> FirestoreBackendOptions.builder()
                            .firestore(client)
                            .projectId("p")
                            .build())
                    .isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> FirestoreBackendOptions.builder()
                            .firestore(client)
                            .emulatorHost("127.0.0.1:8080")
                            .build())
                    .isInstanceOf(IllegalStateException.class);
            assertThat(FirestoreBackendOptions.builder()
                            .firestore(client)
                            .collection("c")
                            .build()
                            .toString())
                    .contains("firestore=supplied");
        } finally {
            FirestoreTestEmulator.close(client);
        }
    }

    @Test
    void theProviderIsFoundByItsScheme() {
        CacheBackendProvider provider = ServiceLoader.load(CacheBackendProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.schemes().contains("firestore"))
                .findFirst()
                .orElseThrow();
        assertThat(provider).isInstanceOf(FirestoreBackendProvider.class);
        assertThat(provider.options()).containsExactlyInAnyOrder("database", "collection", "emulatorHost", "batchSize");
    }

    @Test
    void creatingACacheDoesNotWaitForAnUnreachableFirestoreWhichShowsInTheOperations() {
        try (Cache cache = Cachekit.fromUri("firestore://demo-down?emulatorHost=127.0.0.1:1&namespace=n&timeout=2s")) {
            assertThat(cache.backendStatus()).as("connecting in the background").isEqualTo(BackendStatus.CONNECTING);
            assertThatThrownBy(() -> cache.get("k", String.class))
                    .isInstanceOf(StoreUnreachableException.class)
                    .hasMessageContaining("firestore get")
                    .hasMessageContaining("127.0.0.1:1");
        }
    }

    @Test
    void theProviderSaysWhenFirestoreCannotBeReached() {
        BackendContext context = FirestoreTestEmulator.context(Duration.ofSeconds(2));
        URI uri = URI.create("firestore://demo-down?emulatorHost=127.0.0.1:1");
        assertThatThrownBy(() -> new FirestoreBackendProvider().create(uri, context))
                .isInstanceOf(StoreUnreachableException.class)
                .hasMessageContaining("firestore connect")
                .hasMessageContaining("emulator 127.0.0.1:1");
        assertThatThrownBy(() -> Cachekit.fromUri(uri + "&connect=eager&timeout=2s"))
                .as("connect=eager waits and fails")
                .isInstanceOf(StoreUnreachableException.class);
    }
}
