package io.cachekit.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {

    @Test
    void userInfoAndSecretOptionsAreHidden() {
        assertThat(Redaction.redactUri("redis://app:s3cret@host:6379/0")).isEqualTo("redis://***@host:6379/0");
        assertThat(Redaction.redactUri("mongodb://h/db?proxyPassword=TOPSECRET&collection=c"))
                .isEqualTo("mongodb://h/db?proxyPassword=***&collection=c");
        assertThat(Redaction.redactUri("postgresql://h/db?user=app&password=pw;sslmode=require"))
                .isEqualTo("postgresql://h/db?user=app&password=***;sslmode=require");
        assertThat(Redaction.redactUri("x://h?api_token=abc&sasl_secret=def#frag"))
                .isEqualTo("x://h?api_token=***&sasl_secret=***#frag");
        assertThat(Redaction.redactUri("failed: cannot reach memory://?maxSize=10"))
                .isEqualTo("failed: cannot reach memory://?maxSize=10");
        assertThat(Redaction.redactUri("plain text")).isEqualTo("plain text");
    }
}
