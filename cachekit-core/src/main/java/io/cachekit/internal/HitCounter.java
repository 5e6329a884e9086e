package io.cachekit.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * An exact counter for the hottest event, a cache hit: each thread adds to a cell of its own with a plain
 * store, so an increment costs a thread-local lookup and no atomic instruction (a {@link
 * java.util.concurrent.atomic.LongAdder} costs a compare-and-swap, as much as a whole in-memory hit). Reads
 * sum every cell; a cell outlives its thread so that no count is lost. Thread-safe.
 */
final class HitCounter {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(Cell.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConcurrentLinkedQueue<Cell> cells = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<Cell> cell = ThreadLocal.withInitial(this::newCell);

    private Cell newCell() {
        Cell c = new Cell(Thread.currentThread().getId());
        cells.add(c);
        return c;
    }

    /**
     * The cell of the first thread that counted: that thread finds it without a thread-local lookup. Set only while
     * unset, so that threads never contend on it; every other thread uses its thread-local cell.
     */
    private volatile Cell first;

    void increment() {
        Cell c = first;
        if (c == null || c.ownerId != Thread.currentThread().getId()) {
            c = cell.get();
            if (first == null) {
                first = c;
            }
        }
        // Only this thread writes the cell: a plain read and an opaque store cannot lose an increment, and
        // readers on other threads see each store whole.
        VALUE.setOpaque(c, c.value + 1);
    }

    long sum() {
        long sum = 0;
        for (Cell c : cells) {
            sum += (long) VALUE.getOpaque(c);
        }
        return sum;
    }

    /** One thread's count, padded against false sharing with its neighbours. */
    @SuppressWarnings("unused") // the padding fields exist for their size
    private static final class Cell {
        long p1, p2, p3, p4, p5, p6, p7;
        long value;
        long q1, q2, q3, q4, q5, q6, q7;
        /**
         * The id of the only thread that writes this cell (an id, not the thread, so that a cell does not keep its
         * thread reachable; live threads never share an id).
         */
        final long ownerId;

        Cell(long ownerId) {
            this.ownerId = ownerId;
        }
    }
}
