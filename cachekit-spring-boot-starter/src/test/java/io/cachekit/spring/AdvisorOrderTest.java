package io.cachekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.Cached;
import io.cachekit.spring.internal.CachedMethodAdvisor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The {@code @Cached} advisor's order, {@code cachekit.method-caching.order}, relative to {@code @Transactional}: by
 * default Cachekit runs outside the transaction, so a hit starts none; ordered after the transaction advisor, it runs
 * inside, and every call, hit or not, starts one.
 */
class AdvisorOrderTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    CachekitAutoConfiguration.class, CachekitMethodCachingAutoConfiguration.class))
            .withUserConfiguration(TransactionalApp.class);

    @Test
    void byDefaultACachedTransactionalMethodsHitStartsNoTransaction() {
        runner.withUserConfiguration(DefaultTransactions.class).run(context -> {
            assertThat(context.getBean(CachedMethodAdvisor.class).getOrder()).isEqualTo(Ordered.LOWEST_PRECEDENCE - 1);
            Ledger ledger = context.getBean(Ledger.class);
            RecordingTransactions transactions = context.getBean(RecordingTransactions.class);
            assertThat(ledger.balance(1)).isEqualTo("balance 1 in a transaction");
            assertThat(ledger.balance(1)).isEqualTo("balance 1 in a transaction");
            assertThat(ledger.calls()).isEqualTo(1);
            assertThat(transactions.begun)
                    .as("only the miss ran in a transaction")
                    .hasValue(1);
            assertThat(transactions.committed).hasValue(1);
        });
    }

    @Test
    void anOrderAfterTheTransactionAdvisorsCachesInsideTheTransaction() {
        runner.withPropertyValues("cachekit.method-caching.order=" + Ordered.LOWEST_PRECEDENCE)
                .withUserConfiguration(EarlyTransactions.class)
                .run(context -> {
                    assertThat(context.getBean(CachedMethodAdvisor.class).getOrder())
                            .isEqualTo(Ordered.LOWEST_PRECEDENCE);
                    Ledger ledger = context.getBean(Ledger.class);
                    RecordingTransactions transactions = context.getBean(RecordingTransactions.class);
                    ledger.balance(2);
                    ledger.balance(2);
                    assertThat(ledger.calls()).isEqualTo(1);
                    assertThat(transactions.begun)
                            .as("the hit too ran in a transaction")
                            .hasValue(2);
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class TransactionalApp {
        @Bean
        RecordingTransactions transactionManager() {
            return new RecordingTransactions();
        }

        @Bean
        Ledger ledger() {
            return new Ledger();
        }
    }

    /** The transaction advisor at its default order. */
    @Configuration(proxyBeanMethods = false)
    @EnableTransactionManagement
    static class DefaultTransactions {}

    /** The transaction advisor at order 0, well before Cachekit's. */
    @Configuration(proxyBeanMethods = false)
    @EnableTransactionManagement(order = 0)
    static class EarlyTransactions {}

    public static class Ledger {
        private final AtomicInteger calls = new AtomicInteger();

        /** How often the real method ran (a method: a proxy's own fields are not the target's). */
        public int calls() {
            return calls.get();
        }

        @Cached(ttl = "1m", namespace = "ledger")
        @Transactional
        public String balance(long id) {
            calls.incrementAndGet();
            return "balance " + id
                    + (TransactionSynchronizationManager.isActualTransactionActive() ? " in a transaction" : "");
        }
    }

    /** Counts the transactions begun and committed; holds no resource. */
    static class RecordingTransactions extends AbstractPlatformTransactionManager {
        private static final long serialVersionUID = 1L;
        final AtomicInteger begun = new AtomicInteger();
        final AtomicInteger committed = new AtomicInteger();

        @Override
        protected Object doGetTransaction() {
            return new Object();
        }

        @Override
        protected void doBegin(Object transaction, TransactionDefinition definition) {
            begun.incrementAndGet();
        }

        @Override
        protected void doCommit(DefaultTransactionStatus status) {
            committed.incrementAndGet();
        }

        @Override
        protected void doRollback(DefaultTransactionStatus status) {}
    }
}
