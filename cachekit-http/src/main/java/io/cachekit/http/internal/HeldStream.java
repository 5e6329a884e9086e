package io.cachekit.http.internal;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Objects;

/**
 * The body of a {@link HeldResponse}, and the one stream its handler writes to (its writer writes here too):
 * held in memory up to the limit, then, attached, sent with what was held and streamed, or, detached, dropped.
 *
 * <p>Used by the thread that handles the request; not thread-safe. Not API.
 */
final class HeldStream extends ServletOutputStream {
    private final HeldResponse owner;
    private final int limit;
    private final boolean detached;
    private ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
    private boolean overflow;

    HeldStream(HeldResponse owner, int limit, boolean detached) {
        this.owner = owner;
        this.limit = limit;
        this.detached = detached;
    }

    /** What is held, empty once sent or dropped. */
    byte[] held() {
        return buffer == null ? new byte[0] : buffer.toByteArray();
    }

    /** Whether a detached body grew past the limit, so that it was dropped. */
    boolean overflowed() {
        return overflow;
    }

    /** Drops what is held. */
    void discard() {
        if (buffer != null) {
            buffer.reset();
        }
    }

    /** Stops holding: what was held is the caller's to send. */
    void released() {
        buffer = null;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (owner.isReleased()) {
            if (!owner.failed()) {
                owner.realStream().write(b, off, len);
            }
        } else if (owner.failed() || owner.heldError() || overflow) {
            return; // after sendError the container ignores body writes, and so does this response
        } else if ((long) buffer.size() + len <= limit) {
            buffer.write(b, off, len);
        } else if (detached) {
            overflow = true;
            buffer = null;
        } else {
            owner.startStreaming();
            owner.realStream().write(b, off, len);
        }
    }

    @Override
    public void flush() throws IOException {
        owner.flushed();
        if (owner.isReleased() && !owner.failed()) {
            owner.realStream().flush();
        }
    }

    @Override
    public void close() throws IOException {
        if (owner.isReleased() && !owner.failed()) {
            owner.realStream().close();
        }
    }

    @Override
    public boolean isReady() {
        if (!owner.isReleased()) {
            return true;
        }
        try {
            return owner.realStream().isReady();
        } catch (IOException e) {
            throw new IllegalStateException("The response's output stream is not available", e);
        }
    }

    @Override
    public void setWriteListener(WriteListener listener) {
        if (detached) {
            throw new IllegalStateException("Non-blocking output is not captured in a background refresh");
        }
        // Non-blocking output is driven by the container: stream it and do not store it.
        try {
            if (!owner.isReleased()) {
                owner.startStreaming();
            }
            owner.realStream().setWriteListener(listener);
        } catch (IOException e) {
            throw new IllegalStateException("The response's output stream is not available", e);
        }
    }
}
