package io.cachekit.postgres.internal;

import io.cachekit.CacheBackendException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes a table's expired rows in bounded batches, each in a short transaction that first takes the table's
 * purge lock ({@code pg_try_advisory_xact_lock}), so that one instance purges a table at a time; on its own
 * daemon thread every purge interval (none when the interval is zero), or when called. Not API; thread-safe.
 */
public final class ExpiredRowPurge {
    /** At most this many batches run in one {@link #run()}; the next run goes on. */
    public static final int MAX_BATCHES_PER_RUN = 100;

    private static final Logger LOG = LoggerFactory.getLogger(ExpiredRowPurge.class);

    private final DataSource dataSource;
    private final boolean ownedPool;
    private final TableSql sql;
    private final int batchSize;
    private final Duration interval;
    private final Duration timeout;
    private final BooleanSupplier closed;
    private final ScheduledExecutorService scheduler;

    /**
     * @param dataSource where connections come from
     * @param ownedPool whether the connections are the backend's own pool's, whose socket timeout a purge raises
     * @param sql the table's statements
     * @param batchSize rows deleted per batch at most
     * @param interval time between scheduled runs; zero for none
     * @param timeout what one batch may take (the maintenance timeout)
     * @param closed whether the backend is closed: no batch starts then
     */
    public ExpiredRowPurge(
            DataSource dataSource,
            boolean ownedPool,
            TableSql sql,
            int batchSize,
            Duration interval,
            Duration timeout,
            BooleanSupplier closed) {
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        this.sql = sql;
        this.batchSize = batchSize;
        this.interval = interval;
        this.timeout = timeout;
        this.closed = closed;
        this.scheduler = interval.isZero() ? null : newScheduler("cachekit-postgres-purge-" + sql.table);
    }

    /**
     * Deletes expired rows now, batch after batch; stops after a batch that was not full, or after {@link
     * #MAX_BATCHES_PER_RUN} batches, or once the backend is closed.
     *
     * @return the number of rows deleted, or empty when another instance held the purge lock at the first batch
     * @throws CacheBackendException when a batch fails ({@link io.cachekit.CacheTimeoutException} when it ran out
     *     of time)
     */
    public OptionalLong run() {
        long total = 0;
        for (int batch = 0; batch < MAX_BATCHES_PER_RUN && !closed.getAsBoolean(); batch++) {
            long deleted = batch();
            if (deleted < 0) {
                return batch == 0 ? OptionalLong.empty() : OptionalLong.of(total);
            }
            total += deleted;
            if (deleted < batchSize) {
                break;
            }
        }
        return OptionalLong.of(total);
    }

    /** Schedules the runs, when there is an interval. */
    public void start() {
        if (scheduler != null) {
            long millis = interval.toMillis();
            scheduler.scheduleWithFixedDelay(this::runScheduled, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops the scheduled runs (interrupting one under way). Idempotent. */
    public void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /** One batch: the number of rows deleted, or -1 when another instance holds the lock. */
    private long batch() {
        if (closed.getAsBoolean()) {
            throw new CacheBackendException("postgres purge: the backend is closed");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection connection = dataSource.getConnection()) {
            if (ownedPool) {
                Statements.maintenanceSocketTimeout(connection, Statements.remainingMillis(deadline, "purge", timeout));
            }
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                // Lifts the session's statement_timeout (the operation timeout) for this transaction.
                Statements.localStatementTimeout(connection, Statements.remainingMillis(deadline, "purge", timeout));
                boolean locked;
                try (PreparedStatement lock = connection.prepareStatement(sql.tryPurgeLock)) {
                    Statements.timeout(lock, Statements.remainingMillis(deadline, "purge", timeout));
                    lock.setLong(1, sql.purgeLockKey);
                    try (ResultSet rs = lock.executeQuery()) {
                        locked = rs.next() && rs.getBoolean(1);
                    }
                }
                long deleted = -1;
                if (locked) {
                    try (PreparedStatement delete = connection.prepareStatement(sql.purgeBatch)) {
                        Statements.timeout(delete, Statements.remainingMillis(deadline, "purge", timeout));
                        delete.setInt(1, batchSize);
                        deleted = delete.executeUpdate();
                    }
                }
                // Commit (or end the empty transaction) to release the advisory lock at once.
                connection.commit();
                connection.setAutoCommit(autoCommit);
                return deleted;
            } catch (SQLException | RuntimeException e) {
                Statements.rollbackAfter(connection, e, autoCommit);
                throw e;
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("postgres purge", e, timeout);
        }
    }

    private void runScheduled() {
        try {
            OptionalLong deleted = run();
            if (deleted.isEmpty()) {
                LOG.debug("Purge of {} skipped: another instance holds its lock", sql.qualifiedName);
            } else if (deleted.getAsLong() > 0) {
                LOG.debug("Purged {} expired rows from {}", deleted.getAsLong(), sql.qualifiedName);
            }
        } catch (RuntimeException e) {
            // Thrown out of a scheduled task it would cancel every later run; the next run tries again.
            if (!closed.getAsBoolean()) {
                LOG.warn("Purge of expired rows from {} failed: {}", sql.qualifiedName, e.getMessage());
            }
        }
    }

    private static ScheduledExecutorService newScheduler(String threadName) {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return scheduler;
    }
}
