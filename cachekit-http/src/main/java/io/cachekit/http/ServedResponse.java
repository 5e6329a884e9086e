package io.cachekit.http;

import io.cachekit.http.internal.Flights;
import io.cachekit.http.internal.UrlRecord;

/**
 * How {@link HttpResponseCache#serve} answered a request: from the cache, or by running the handler, and
 * what the adapter must still do. Immutable.
 */
public final class ServedResponse {

    /** Where the answer came from; {@link #hit()} and {@code Cache-Status} are derived from it. */
    public enum Outcome {
        /** A fresh stored response ({@code Cache-Status: ...; hit}). */
        HIT,
        /**
         * A stale stored response within its {@code stale-while-revalidate} window; {@link #refresh()} tells the
         * adapter to refresh it after replying.
         */
        STALE_WHILE_REVALIDATE,
        /** A stale stored response within its {@code stale-if-error} window, served because the handler failed. */
        STALE_IF_ERROR,
        /** The handler answered: nothing usable was stored ({@code fwd=miss}). */
        MISS,
        /** The handler answered: the stored response was stale ({@code fwd=stale}). */
        STALE,
        /** The handler answered because of the client's {@code Cache-Control} ({@code fwd=request}). */
        REQUEST,
        /** The handler answered: the request is not cacheable ({@code fwd=bypass}). */
        BYPASS
    }

    private final Outcome outcome;
    private final StoredResponse stored;
    private final CapturedResponse captured;
    private final boolean collapsed;
    private final boolean written;
    private final int forwardStatus;
    private final String detail;
    final UrlRecord record;
    final String variantKey;
    final Flights.Ticket<?> refreshTicket;

    ServedResponse(
            Outcome outcome,
            StoredResponse stored,
            CapturedResponse captured,
            boolean collapsed,
            boolean written,
            int forwardStatus,
            String detail,
            UrlRecord record,
            String variantKey,
            Flights.Ticket<?> refreshTicket) {
        this.outcome = outcome;
        this.stored = stored;
        this.captured = captured;
        this.collapsed = collapsed;
        this.written = written;
        this.forwardStatus = forwardStatus;
        this.detail = detail;
        this.record = record;
        this.variantKey = variantKey;
        this.refreshTicket = refreshTicket;
    }

    /** Where the answer came from. */
    public Outcome outcome() {
        return outcome;
    }

    /**
     * The stored response to reply with (see {@link HttpResponseCache#reply}), or null when nothing may be
     * replied from the cache: then {@link #captured()} is sent as it is.
     */
    public StoredResponse stored() {
        return stored;
    }

    /** What this request's handler produced, or null on a hit, when it was already sent, or when it failed. */
    public CapturedResponse captured() {
        return captured;
    }

    /**
     * Whether the reply comes from the cache rather than from this request's handler: a hit, a stale response,
     * or another request's response shared with this one ({@code X-Cache: HIT}).
     */
    public boolean hit() {
        return outcome == Outcome.HIT
                || outcome == Outcome.STALE_WHILE_REVALIDATE
                || outcome == Outcome.STALE_IF_ERROR
                || (collapsed && stored != null);
    }

    /** Whether this request waited for another one with the same key and shares its response. */
    public boolean collapsed() {
        return collapsed;
    }

    /** Whether this request's response was written to the store. */
    public boolean written() {
        return written;
    }

    /**
     * Whether this request is the one that refreshes a stale response served while it may be revalidated in
     * the background: the adapter must then call {@link HttpResponseCache#refresh} once the reply has reached
     * the client (other requests of the variant are served the stale response meanwhile, without refreshing).
     */
    public boolean refresh() {
        return refreshTicket != null;
    }

    /** The status the handler answered with, or 0 when it did not answer (a hit, or it threw). */
    public int forwardStatus() {
        return forwardStatus;
    }

    /** A note for {@code Cache-Status}'s {@code detail}, such as {@code store-open}, or null. */
    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return "ServedResponse{" + outcome + (collapsed ? " collapsed" : "") + (written ? " written" : "")
                + (stored == null ? "" : " " + stored) + "}";
    }
}
