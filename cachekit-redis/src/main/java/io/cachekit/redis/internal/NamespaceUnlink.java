package io.cachekit.redis.internal;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * Removes every key of a pattern: SCAN page after page, each page's keys removed with UNLINK, which goes out
 * together with the following SCAN rather than before it. On a Cluster, Lettuce's SCAN walks every master in turn
 * and its UNLINK splits keys by slot. Not API; thread-safe.
 */
public final class NamespaceUnlink {
    private final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final int scanCount;
    private final Executor pageExecutor;

    /**
     * @param commands where the commands go
     * @param scanCount the {@code COUNT} hint of each SCAN
     * @param pageExecutor where a Cluster's next SCAN is sent from, or {@code null} to send it from the thread that
     *     completed the page: Lettuce 6's cluster SCAN opens the next node's connection by blocking its caller,
     *     which on Lettuce's own I/O thread would wait for itself
     */
    public NamespaceUnlink(RedisClusterAsyncCommands<byte[], byte[]> commands, int scanCount, Executor pageExecutor) {
        this.commands = commands;
        this.scanCount = scanCount;
        this.pageExecutor = pageExecutor;
    }

    /**
     * Unlinks every key matching {@code pattern}. The future completes once every UNLINK has answered, or with the
     * first failure of a SCAN or an UNLINK; it has no time limit of its own (each command has the client's).
     */
    public CompletableFuture<Void> unlinkAll(byte[] pattern) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        next(ScanCursor.INITIAL, ScanArgs.Builder.matches(pattern).limit(scanCount), new ArrayList<>(), done);
        return done;
    }

    /** Sends the next SCAN. Pages arrive one after another, so {@code unlinks} is never touched by two threads at once. */
    private void next(
            ScanCursor cursor, ScanArgs args, List<CompletableFuture<Long>> unlinks, CompletableFuture<Void> done) {
        CompletableFuture<KeyScanCursor<byte[]>> page;
        try {
            page = commands.scan(cursor, args).toCompletableFuture();
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
            return;
        }
        BiConsumer<KeyScanCursor<byte[]>, Throwable> onPage = (result, error) -> {
            if (error != null) {
                done.completeExceptionally(error);
                return;
            }
            try {
                List<byte[]> keys = result.getKeys();
                if (!keys.isEmpty()) {
                    unlinks.add(commands.unlink(keys.toArray(new byte[0][])).toCompletableFuture());
                }
                if (result.isFinished()) {
                    CompletableFuture.allOf(unlinks.toArray(new CompletableFuture<?>[0]))
                            .whenComplete((ignored, unlinkError) -> {
                                if (unlinkError != null) {
                                    done.completeExceptionally(unlinkError);
                                } else {
                                    done.complete(null);
                                }
                            });
                } else {
                    next(result, args, unlinks, done);
                }
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        };
        if (pageExecutor != null) {
            page.whenCompleteAsync(onPage, pageExecutor);
        } else {
            page.whenComplete(onPage);
        }
    }
}
