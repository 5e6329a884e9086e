package io.cachekit.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.mongodb.ConnectionString;
import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.cachekit.Cachekit;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** URI and options parsing, without a server; and that credentials never reach a message. */
class MongoBackendProviderTest {
    private static final String SECRET = "s3cr3t-pw";

    @Test
    void theProviderIsFoundForBothSchemes() {
        assertThat(Cachekit.schemes()).contains("mongodb", "mongodb+srv");
        assertThat(new MongoBackendProvider().options()).contains("database", "collection", "createIndexes", "w");
    }

    @Test
    void databaseCollectionAndIndexOptionsAreCachekitsTheRestGoesToTheDriver() {
        MongoBackendOptions options = MongoBackendProvider.toOptions(URI.create("mongodb://app:" + SECRET
                + "@db1:27017,db2:27018/shop?replicaSet=rs0&w=majority&wTimeoutMS=2500&readPreference=secondaryPreferred"
                + "&collection=cache&createIndexes=false&maxPoolSize=20"));
        assertThat(options.database()).isEqualTo("shop");
        assertThat(options.collection()).isEqualTo("cache");
        assertThat(options.createIndexes()).isFalse();
        ConnectionString driver = new ConnectionString(options.connectionString());
        assertThat(driver.getHosts()).containsExactly("db1:27017", "db2:27018");
        assertThat(driver.getRequiredReplicaSetName()).isEqualTo("rs0");
        assertThat(driver.getWriteConcern())
                .isEqualTo(WriteConcern.MAJORITY.withWTimeout(2500, java.util.concurrent.TimeUnit.MILLISECONDS));
        assertThat(driver.getReadPreference()).isEqualTo(ReadPreference.secondaryPreferred());
        assertThat(driver.getMaxConnectionPoolSize()).isEqualTo(20);
        assertThat(driver.getCredential().getPassword()).isEqualTo(SECRET.toCharArray());
        assertThat(options.connectionString()).doesNotContain("collection").doesNotContain("createIndexes");
    }

    @Test
    void defaultsAndTheDatabaseOption() {
        MongoBackendOptions bare = MongoBackendProvider.toOptions(URI.create("mongodb://localhost"));
        assertThat(bare.database()).isEqualTo("cachekit");
        assertThat(bare.collection()).isEqualTo("cachekit_entries");
        assertThat(bare.createIndexes()).isTrue();

        MongoBackendOptions chosen =
                MongoBackendProvider.toOptions(URI.create("mongodb://localhost/admin?database=cache&authSource=admin"));
        assertThat(chosen.database()).as("the option wins over the path").isEqualTo("cache");
        assertThat(new ConnectionString(chosen.connectionString()).getCredential())
                .isNull();

        MongoBackendOptions optionsOnly = MongoBackendProvider.toOptions(URI.create("mongodb://localhost?w=1"));
        assertThat(new ConnectionString(optionsOnly.connectionString()).getWriteConcern())
                .isEqualTo(WriteConcern.W1);

        MongoBackendOptions srv = MongoBackendProvider.toOptions(
                URI.create("mongodb+srv://u:" + SECRET + "@cluster0.example.net/app?collection=c"));
        assertThat(srv.connectionString()).startsWith("mongodb+srv://");
        assertThat(srv.database()).isEqualTo("app");
        assertThat(srv.target()).isEqualTo("mongodb+srv://***@cluster0.example.net/app");
    }

    @Test
    void badUrisAndOptionsFailNamingWhatIsValid() {
        assertThatThrownBy(() -> MongoBackendProvider.toOptions(URI.create("mongodb://h/db?colour=red")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown option 'colour' for mongodb://")
                .hasMessageContaining("collection")
                .hasMessageContaining("readPreference");
        assertThatThrownBy(() -> MongoBackendProvider.toOptions(URI.create("mongodb://h/db?timeoutMS=100")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Cachekit's own 'timeout' option");
        assertThatThrownBy(() -> MongoBackendProvider.toOptions(URI.create("mongodb://h/db?createIndexes=maybe")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("createIndexes");
        assertThatThrownBy(() -> MongoBackendProvider.toOptions(URI.create("mongodb://h/db?collection=system.x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("collection name");
        assertThatThrownBy(() -> MongoBackendProvider.toOptions(URI.create("redis://h")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Not a MongoDB URI");
        assertThatThrownBy(() -> MongoBackendProvider.toOptions(URI.create("mongodb://h/db?w=majority&W=1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'W' is given twice");
        assertThat(new ConnectionString(MongoBackendProvider.toOptions(
                                        URI.create(
                                                "mongodb://h/db?readPreference=nearest&readPreferenceTags=dc:ny&readPreferenceTags="))
                                .connectionString())
                        .getReadPreference())
                .as("tag sets may repeat")
                .isEqualTo(ReadPreference.nearest(java.util.List.of(
                        new com.mongodb.TagSet(new com.mongodb.Tag("dc", "ny")), new com.mongodb.TagSet())));
    }

    @Test
    void theBuilderFailsFast() {
        assertThatThrownBy(() -> MongoBackendOptions.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exactly one of connectionString(...) or client(...)");
        try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:1")) {
            assertThatThrownBy(() -> MongoBackendOptions.builder()
                            .connectionString("mongodb://localhost")
                            .client(client)
                            .build())
                    .isInstanceOf(IllegalStateException.class);
            MongoBackendOptions supplied =
                    MongoBackendOptions.builder().client(client).build();
            assertThat(supplied.target()).startsWith("supplied ");
            assertThat(supplied.database()).isEqualTo("cachekit");
        }
        assertThatThrownBy(() -> MongoBackendOptions.builder().database("bad.name"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("database name");
        assertThatThrownBy(() -> MongoBackendOptions.builder().collection(""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MongoBackendOptions.builder().collection("a$b"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MongoBackendOptions.builder().connectionString("http://localhost"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid MongoDB connection string");
        assertThatThrownBy(() -> MongoBackendOptions.builder().connectionString("mongodb://h/?timeoutMS=5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeoutMS");
        MongoBackendOptions built = MongoBackendOptions.builder()
                .connectionString("mongodb://localhost/app")
                .collection("c")
                .build();
        assertThat(built.toBuilder().collection("d").build().collection()).isEqualTo("d");
        assertThat(built.collection()).as("immutable").isEqualTo("c");
    }

    @Test
    void credentialsNeverAppearInMessagesOrToString() {
        MongoBackendOptions options = MongoBackendProvider.toOptions(URI.create(
                "mongodb://cachekit:" + SECRET + "@h1:27017/app?proxyHost=p&proxyUsername=x&proxyPassword=" + SECRET));
        assertThat(options.toString()).doesNotContain(SECRET).contains("mongodb://***@h1:27017/app");
        assertThat(options.target()).doesNotContain(SECRET);

        Throwable badOption = catchThrowable(
                () -> MongoBackendProvider.toOptions(URI.create("mongodb://u:" + SECRET + "@h/db?colour=red")));
        assertThat(MongoBackendFailureTest.messagesOf(badOption)).noneMatch(m -> m.contains(SECRET));

        Throwable badString = catchThrowable(
                () -> MongoBackendOptions.builder().connectionString("mongodb://u:" + SECRET + "@h:notaport/db"));
        assertThat(badString).isInstanceOf(IllegalArgumentException.class);
        assertThat(MongoBackendFailureTest.messagesOf(badString)).noneMatch(m -> m.contains(SECRET));

        Throwable badTimeout = catchThrowable(
                () -> MongoBackendOptions.builder().connectionString("mongodb://u:" + SECRET + "@h/db?timeoutMS=1"));
        assertThat(MongoBackendFailureTest.messagesOf(badTimeout)).noneMatch(m -> m.contains(SECRET));
    }
}
