package io.cachekit.firestore.internal;

import com.google.cloud.firestore.Query;
import com.google.cloud.firestore.QuerySnapshot;
import com.google.cloud.firestore.WriteBatch;
import java.util.concurrent.CompletableFuture;

/**
 * Deletes every document of a namespace: queries a page of document ids ({@link EntryDocuments#namespacePage}),
 * deletes the page with one batch, awaits it, and repeats until a page comes back short. Each query and each
 * batch is bounded by the operation timeout; the clear as a whole is not. Not API; thread-safe.
 */
public final class NamespaceClear {
    private static final String OPERATION = "clear";

    private final FirestoreCalls calls;
    private final EntryDocuments documents;
    private final int batchSize;

    /**
     * @param calls starts and bounds each call
     * @param documents makes the pages and the deletes
     * @param batchSize the most documents of one page, as {@link EntryDocuments#namespacePage} makes them
     */
    public NamespaceClear(FirestoreCalls calls, EntryDocuments documents, int batchSize) {
        this.calls = calls;
        this.documents = documents;
        this.batchSize = batchSize;
    }

    /**
     * Clears {@code namespace}, waiting on the calling thread.
     *
     * @throws NullPointerException if {@code namespace} is null
     * @throws io.cachekit.CacheBackendException when a call fails or times out; pages before it stay deleted
     */
    public void clear(String namespace) {
        Query page = documents.namespacePage(namespace);
        while (true) {
            QuerySnapshot found = calls.await(OPERATION, page::get);
            if (found.isEmpty()) {
                return;
            }
            WriteBatch batch = documents.deletes(found);
            calls.await(OPERATION, batch::commit);
            if (found.size() < batchSize) {
                return;
            }
        }
    }

    /**
     * Clears {@code namespace} without blocking; the future fails as {@link #clear} throws.
     *
     * @throws NullPointerException if {@code namespace} is null
     */
    public CompletableFuture<Void> clearAsync(String namespace) {
        Query page = documents.namespacePage(namespace);
        CompletableFuture<Void> done = new CompletableFuture<>();
        clearPage(page, done);
        return done;
    }

    /** Queries one page, deletes it, and goes on from the completion of the delete: no thread waits. */
    private void clearPage(Query page, CompletableFuture<Void> done) {
        calls.async(OPERATION, page::get, found -> found).whenComplete((found, queryError) -> {
            if (queryError != null) {
                done.completeExceptionally(queryError);
                return;
            }
            if (found.isEmpty()) {
                done.complete(null);
                return;
            }
            calls.async(OPERATION, () -> documents.deletes(found).commit(), results -> null)
                    .whenComplete((ignored, deleteError) -> {
                        if (deleteError != null) {
                            done.completeExceptionally(deleteError);
                        } else if (found.size() < batchSize) {
                            done.complete(null);
                        } else {
                            clearPage(page, done);
                        }
                    });
        });
    }
}
