package io.cachekit.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * An exact counter for the hottest event, a cache hit: each thread adds to a cell of its own with a plain
 * store, so an increment costs finding the cell and no atomic instruction (a {@link
 * java.util.concurrent.atomic.LongAdder} costs a compare-and-swap, as much as a whole in-memory hit). Reads
 * sum every cell; a cell outlives its thread so that no count is lost. Thread-safe.
 */
final class HitCounter {
    private static final VarHandle VALUE;
    private static final VarHandle SLOT;

    /** Slots of the table that finds a thread's cell by its id; a power of two. */
    private static final int SLOTS = 64;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(Cell.class, "value", long.class);
            SLOT = MethodHandles.arrayElementVarHandle(Cell[].class);
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
     * Cells by thread id: the first thread whose id falls on a slot claims it, and finds its cell there with
     * one array read, where a thread-local lookup costs a hash probe (at two threads, a tenth of a hit's time).
     * A thread whose slot another holds uses its thread-local cell.
     */
    private final Cell[] slots = new Cell[SLOTS];

    void increment() {
        long id = Thread.currentThread().getId();
        // A plain read: a cell seen here has its final owner id set, and null or another owner's cell only
        // sends this thread the slower way.
        Cell c = slots[(int) id & (SLOTS - 1)];
        if (c == null || c.ownerId != id) {
            c = ownCell(id);
        }
        // Only this thread writes the cell: a plain read and an opaque store cannot lose an increment, and
        // readers on other threads see each store whole.
        VALUE.setOpaque(c, c.value + 1);
    }

    /** This thread's cell, claiming the thread's slot for it when the slot is free. */
    private Cell ownCell(long id) {
        Cell c = cell.get();
        int slot = (int) id & (SLOTS - 1);
        if (slots[slot] == null) {
            SLOT.compareAndSet(slots, slot, null, c);
        }
        return c;
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
