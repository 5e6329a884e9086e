package io.cachekit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cachekit.Cache;
import io.cachekit.Cachekit;
import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Backend URIs and the options builder. */
class PostgresBackendProviderTest {

    @Test
    void bothSchemesAreFoundOnTheClassPath() {
        assertThat(Cachekit.schemes()).contains("postgresql", "postgres");
    }

    @Test
    void aFullUriIsReadIntoOptions() {
        PostgresBackendOptions options = PostgresBackendProvider.toOptions(
                URI.create("postgres://app%40corp:p%3Ass+w%2Frd@db.example.com:6543/my_db?schema=cache&table=entries"
                        + "&unlogged=true&createTable=false&purgeInterval=30s&purgeBatchSize=500&poolSize=4"
                        + "&sslmode=verify-full"));
        assertThat(options.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:6543/my_db");
        assertThat(options.username()).isEqualTo("app@corp");
        assertThat(options.password()).isEqualTo("p:ss+w/rd");
        assertThat(options.schema()).isEqualTo("cache");
        assertThat(options.table()).isEqualTo("entries");
        assertThat(options.unlogged()).isTrue();
        assertThat(options.createTable()).isFalse();
        assertThat(options.purgeInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.purgeBatchSize()).isEqualTo(500);
        assertThat(options.poolSize()).isEqualTo(4);
        assertThat(options.connectionProperties()).containsEntry("sslmode", "verify-full");
    }

    @Test
    void aShortUriTakesTheDefaults() {
        PostgresBackendOptions options = PostgresBackendProvider.toOptions(URI.create("postgresql://localhost/app"));
        assertThat(options.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/app");
        assertThat(options.username()).isNull();
        assertThat(options.password()).isNull();
        assertThat(options.schema()).isEqualTo("public");
        assertThat(options.table()).isEqualTo("cachekit_entries");
        assertThat(options.unlogged()).isFalse();
        assertThat(options.createTable()).isTrue();
        assertThat(options.purgeInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(options.purgeBatchSize()).isEqualTo(1000);
        assertThat(options.poolSize()).isEqualTo(10);
        assertThat(PostgresBackendProvider.toOptions(URI.create("postgresql://u@[::1]:5433/app?purgeInterval=0s"))
                        .purgeInterval())
                .isZero();
    }

    @Test
    void badUrisAndValuesAreRejectedByName() {
        assertThatThrownBy(() -> PostgresBackendProvider.toOptions(URI.create("postgresql://h/db?poolSize=0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("poolSize");
        assertThatThrownBy(() -> PostgresBackendProvider.toOptions(URI.create("postgresql://h/db?purgeInterval=soon")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("purgeInterval");
        assertThatThrownBy(() -> PostgresBackendProvider.toOptions(URI.create("postgresql://h/db/extra")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("database name");
        assertThatThrownBy(() -> PostgresBackendProvider.toOptions(URI.create("redis://h/0")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theBuilderFailsFast() {
        PostgresBackendOptions.Builder builder = PostgresBackendOptions.builder();
        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> builder.jdbcUrl("jdbc:mysql://h/db")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.purgeBatchSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.poolSize(1001)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.purgeInterval(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.table(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> builder.table("Entries")).isInstanceOf(IllegalArgumentException.class);
        DataSource dataSource = new UnusedDataSource();
        assertThatThrownBy(() -> PostgresBackendOptions.builder()
                        .jdbcUrl("jdbc:postgresql://h/db")
                        .dataSource(dataSource)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not both");
        PostgresBackendOptions options = PostgresBackendOptions.builder()
                .jdbcUrl("jdbc:postgresql://h/db")
                .table("t1")
                .build();
        assertThat(options.toBuilder().table("t2").build().table()).isEqualTo("t2");
        assertThat(options.table()).isEqualTo("t1");
    }

    @Test
    void aCacheCanBeOpenedFromOneUri() throws SQLException {
        TestDatabase.dropTable("cachekit_from_uri");
        String uri = "postgresql://" + TestDatabase.USER + "@" + TestDatabase.HOST + ":" + TestDatabase.PORT + "/"
                + TestDatabase.DATABASE + "?table=cachekit_from_uri&poolSize=2&purgeInterval=0s&namespace=uri&ttl=5m";
        try (Cache cache = Cachekit.fromUri(uri)) {
            cache.set("greeting", "hello");
            assertThat(cache.get("greeting", String.class)).isEqualTo("hello");
            assertThat(cache.unwrap(PostgresBackend.class).options().table()).isEqualTo("cachekit_from_uri");
        }
    }

    /** A data source that is never asked for a connection. */
    private static final class UnusedDataSource implements DataSource {
        @Override
        public java.sql.Connection getConnection() throws SQLException {
            throw new SQLException("unused");
        }

        @Override
        public java.sql.Connection getConnection(String username, String password) throws SQLException {
            throw new SQLException("unused");
        }

        @Override
        public java.io.PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(java.io.PrintWriter out) {}

        @Override
        public void setLoginTimeout(int seconds) {}

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public java.util.logging.Logger getParentLogger() {
            return java.util.logging.Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
