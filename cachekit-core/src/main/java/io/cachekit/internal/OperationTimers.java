package io.cachekit.internal;

/** Latency recording per backend operation; {@link #NONE} when metrics are off. Thread-safe. */
interface OperationTimers {
    OperationTimers NONE = new OperationTimers() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public void record(Operation operation, long nanos) {}
    };

    boolean enabled();

    void record(Operation operation, long nanos);

    /** The backend operations that are timed. */
    enum Operation {
        GET,
        SET,
        DELETE,
        CLEAR,
        GET_MANY,
        SET_MANY;

        final String tag = name().toLowerCase(java.util.Locale.ROOT).replace("_many", "Many");
    }
}
