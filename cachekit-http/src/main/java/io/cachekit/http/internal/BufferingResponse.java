package io.cachekit.http.internal;

import io.cachekit.http.CapturedResponse;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Holds a handler's body in memory, up to a limit, instead of sending it, so that the complete response can
 * be stored and then sent with its cache headers. Status and headers go to the wrapped response as usual;
 * the wrapper remembers which headers the handler set, to replay only those.
 *
 * <p>Past the limit, or when an error or redirect is sent, or for non-blocking output, it stops buffering:
 * what it held is sent and the rest streams through, and {@link #capture()} returns null. {@code
 * Content-Length} set by the handler is held back while buffering, since the filter sets the real one.
 *
 * <p>Used by the one thread that handles the request at a time (servlet rules); not thread-safe. Not API.
 */
public final class BufferingResponse extends HttpServletResponseWrapper {
    /** Headers that other components may set on the response and that decide whether it may be stored. */
    private static final List<String> DECIDING_HEADERS = List.of("Set-Cookie", "Set-Cookie2", "Cache-Control", "Vary");

    private final int limit;
    private final Runnable beforeStreaming;
    private final Set<String> touched = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    private ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
    private boolean streaming;
    private boolean errorSent;
    private long declaredLength = -1;
    private ServletOutputStream stream;
    private PrintWriter writer;

    /**
     * @param response the response to wrap
     * @param limit the most bytes held; a body that grows past it is streamed
     * @param beforeStreaming runs once, before anything is streamed, to set headers while they can still be
     *     set
     */
    public BufferingResponse(HttpServletResponse response, int limit, Runnable beforeStreaming) {
        super(response);
        this.limit = limit;
        this.beforeStreaming = Objects.requireNonNull(beforeStreaming, "beforeStreaming");
    }

    /**
     * The complete response, or null when it was streamed, or an error or redirect was sent. Flushes the
     * writer first.
     */
    public CapturedResponse capture() {
        if (writer != null) {
            writer.flush();
        }
        if (streaming || errorSent) {
            return null;
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String contentType = getContentType();
        if (contentType != null) {
            headers.put("Content-Type", List.of(contentType));
        }
        for (String name : touched) {
            if (!name.equalsIgnoreCase("Content-Type")) {
                copyHeader(name, headers);
            }
        }
        for (String name : DECIDING_HEADERS) {
            copyHeader(name, headers);
        }
        return new CapturedResponse(getStatus(), headers, buffer.toByteArray());
    }

    private void copyHeader(String name, Map<String, List<String>> into) {
        Collection<String> values = super.getHeaders(name);
        if (values != null && !values.isEmpty()) {
            into.put(name, new ArrayList<>(values));
        }
    }

    /** The {@code Content-Length} the handler declared and this wrapper held back, or -1. */
    public long declaredLength() {
        return declaredLength;
    }

    /** Whether the body is being streamed rather than held. */
    public boolean isStreaming() {
        return streaming;
    }

    /** Sends what is held and streams the rest; for responses that will not be stored after all. */
    public void stopBuffering() throws IOException {
        if (writer != null) {
            writer.flush();
        }
        if (!streaming && !errorSent) {
            startStreaming();
        }
        if (streaming) {
            super.getOutputStream().flush();
        }
    }

    private void startStreaming() throws IOException {
        streaming = true;
        beforeStreaming.run();
        if (declaredLength >= 0) {
            super.setContentLengthLong(declaredLength);
        }
        byte[] held = buffer.toByteArray();
        buffer = null;
        if (held.length > 0) {
            super.getOutputStream().write(held);
        }
    }

    private void discard() {
        if (buffer != null) {
            buffer.reset();
        }
    }

    @Override
    public ServletOutputStream getOutputStream() {
        if (writer != null) {
            throw new IllegalStateException("getWriter() has already been called for this response");
        }
        if (stream == null) {
            stream = new BufferStream();
        }
        return stream;
    }

    @Override
    public PrintWriter getWriter() {
        if (writer == null) {
            if (stream != null) {
                throw new IllegalStateException("getOutputStream() has already been called for this response");
            }
            writer = new PrintWriter(new OutputStreamWriter(new BufferStream(), charset()), false);
        }
        return writer;
    }

    private Charset charset() {
        String name = getCharacterEncoding();
        try {
            return name == null ? StandardCharsets.ISO_8859_1 : Charset.forName(name);
        } catch (IllegalArgumentException e) {
            return StandardCharsets.ISO_8859_1; // the servlet default, for an encoding this JVM lacks
        }
    }

    @Override
    public void flushBuffer() throws IOException {
        if (writer != null) {
            writer.flush();
        }
        if (streaming) {
            super.flushBuffer();
        }
    }

    @Override
    public void reset() {
        super.reset();
        if (!streaming) {
            discard();
            touched.clear();
            declaredLength = -1;
        }
    }

    @Override
    public void resetBuffer() {
        super.resetBuffer();
        if (!streaming) {
            discard();
        }
    }

    @Override
    public void setContentLength(int len) {
        setContentLengthLong(len);
    }

    @Override
    public void setContentLengthLong(long len) {
        if (streaming) {
            super.setContentLengthLong(len);
        } else {
            declaredLength = len;
        }
    }

    @Override
    public void setHeader(String name, String value) {
        if (isContentLength(name)) {
            setContentLengthLong(parseLength(value));
            return;
        }
        touched.add(name);
        super.setHeader(name, value);
    }

    @Override
    public void addHeader(String name, String value) {
        if (isContentLength(name)) {
            setContentLengthLong(parseLength(value));
            return;
        }
        touched.add(name);
        super.addHeader(name, value);
    }

    @Override
    public void setIntHeader(String name, int value) {
        if (isContentLength(name)) {
            setContentLengthLong(value);
            return;
        }
        touched.add(name);
        super.setIntHeader(name, value);
    }

    @Override
    public void addIntHeader(String name, int value) {
        if (isContentLength(name)) {
            setContentLengthLong(value);
            return;
        }
        touched.add(name);
        super.addIntHeader(name, value);
    }

    @Override
    public void setDateHeader(String name, long date) {
        touched.add(name);
        super.setDateHeader(name, date);
    }

    @Override
    public void addDateHeader(String name, long date) {
        touched.add(name);
        super.addDateHeader(name, date);
    }

    @Override
    public void setLocale(Locale locale) {
        touched.add("Content-Language");
        super.setLocale(locale);
    }

    @Override
    public void addCookie(Cookie cookie) {
        touched.add("Set-Cookie");
        super.addCookie(cookie);
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        errorSent = true;
        discard();
        super.sendError(sc, msg);
    }

    @Override
    public void sendError(int sc) throws IOException {
        errorSent = true;
        discard();
        super.sendError(sc);
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        errorSent = true;
        discard();
        super.sendRedirect(location);
    }

    @Override
    public void sendRedirect(String location, int sc) throws IOException {
        errorSent = true;
        discard();
        super.sendRedirect(location, sc);
    }

    @Override
    public void sendRedirect(String location, boolean clearBuffer) throws IOException {
        errorSent = true;
        discard();
        super.sendRedirect(location, clearBuffer);
    }

    @Override
    public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
        errorSent = true;
        discard();
        super.sendRedirect(location, sc, clearBuffer);
    }

    private static boolean isContentLength(String name) {
        return "Content-Length".equalsIgnoreCase(name);
    }

    private static long parseLength(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1; // not a length: the filter sets the real one from the body
        }
    }

    /** The stream the handler writes to: into the buffer, or to the real response once streaming. */
    private final class BufferStream extends ServletOutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (streaming) {
                BufferingResponse.super.getOutputStream().write(b, off, len);
            } else if (errorSent) {
                return; // the container ignores body writes after sendError, and so does this buffer
            } else if ((long) buffer.size() + len > limit) {
                startStreaming();
                BufferingResponse.super.getOutputStream().write(b, off, len);
            } else {
                buffer.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            if (streaming) {
                BufferingResponse.super.getOutputStream().flush();
            }
        }

        @Override
        public void close() throws IOException {
            if (streaming) {
                BufferingResponse.super.getOutputStream().close();
            }
        }

        @Override
        public boolean isReady() {
            if (!streaming) {
                return true;
            }
            try {
                return BufferingResponse.super.getOutputStream().isReady();
            } catch (IOException e) {
                throw new IllegalStateException("The response's output stream is not available", e);
            }
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            // Non-blocking output is driven by the container: stream it and do not store it.
            try {
                if (!streaming) {
                    startStreaming();
                }
                BufferingResponse.super.getOutputStream().setWriteListener(listener);
            } catch (IOException e) {
                throw new IllegalStateException("The response's output stream is not available", e);
            }
        }
    }
}
