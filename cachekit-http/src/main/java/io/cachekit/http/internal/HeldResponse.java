package io.cachekit.http.internal;

import io.cachekit.http.CapturedResponse;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Holds what a handler writes, status and headers and body (up to a limit), instead of sending it, so that the
 * filter can decide afterwards: store it and reply from the stored response, send it as it is ({@link
 * #release()}), or drop it and send a stale response in its place.
 *
 * <p>Attached ({@link #attached}): a body growing past the limit, {@code sendError} and {@code sendRedirect}
 * release what is held to the real response and pass the rest through; with {@code holdServerErrors}, a
 * {@code sendError} of 500 or more is held instead, as a response of that status. Detached ({@link
 * #detached}, for background refreshes after the real response has been sent): nothing ever reaches the real
 * response; a body past the limit is dropped. The policy's tag header never reaches the client: its values are
 * kept as the response's tags.
 *
 * <p>Used by the one thread that handles the request at a time (servlet rules); not thread-safe. Not API.
 */
public final class HeldResponse extends HttpServletResponseWrapper {
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    private final boolean detached;
    private final boolean releaseOnFlush;
    private final int limit;
    private final boolean holdServerErrors;
    private final Consumer<HeldResponse> beforeRelease;
    private final HeldHead head;
    private final HeldStream body;
    private boolean released;
    private boolean failed;
    private boolean heldError;
    private boolean streamObtained;
    private PrintWriter writer;

    private HeldResponse(
            HttpServletResponse response,
            boolean detached,
            boolean releaseOnFlush,
            int limit,
            String tagHeader,
            boolean holdServerErrors,
            Consumer<HeldResponse> beforeRelease) {
        super(response);
        this.detached = detached;
        this.releaseOnFlush = releaseOnFlush;
        this.limit = limit;
        this.head = new HeldHead(tagHeader);
        this.body = new HeldStream(this, limit, detached);
        this.holdServerErrors = holdServerErrors;
        this.beforeRelease = Objects.requireNonNull(beforeRelease, "beforeRelease");
    }

    /**
     * A response held until the filter releases it, or until it cannot be held any longer.
     *
     * @param limit the most body bytes held
     * @param tagHeader the header whose values are tags, or null
     * @param holdServerErrors whether {@code sendError} of 500 or more is held rather than sent
     * @param beforeRelease runs once before anything reaches the real response, with this response still
     *     holding its status and headers: to set headers there, or to act on the status
     */
    public static HeldResponse attached(
            HttpServletResponse response,
            int limit,
            String tagHeader,
            boolean holdServerErrors,
            Consumer<HeldResponse> beforeRelease) {
        return new HeldResponse(response, false, false, limit, tagHeader, holdServerErrors, beforeRelease);
    }

    /**
     * A response held until the handler flushes it (a stream of events, say), it grows past {@code limit}, or
     * the filter releases it: for responses that are never stored but must not leave before {@code
     * beforeRelease} has run.
     */
    public static HeldResponse untilFlushed(
            HttpServletResponse response, int limit, String tagHeader, Consumer<HeldResponse> beforeRelease) {
        return new HeldResponse(response, false, true, limit, tagHeader, false, beforeRelease);
    }

    /** A response that never reaches {@code response}, for a handler run after the client has its answer. */
    public static HeldResponse detached(HttpServletResponse response, int limit, String tagHeader) {
        return new HeldResponse(response, true, false, limit, tagHeader, false, held -> {});
    }

    /**
     * The complete response, or null when it was released (streamed, an error or redirect sent) or, detached,
     * grew past the limit. A held server error is a response of its status with an empty body.
     */
    public CapturedResponse capture() {
        flushWriter();
        if (released || failed || body.overflowed()) {
            return null;
        }
        Map<String, List<String>> headers = head.captured(detached ? name -> List.of() : super::getHeaders);
        return new CapturedResponse(head.status, headers, heldError ? new byte[0] : body.held(), head.tags());
    }

    /** Whether a server error was held back (see {@link #attached}) rather than sent. */
    public boolean heldError() {
        return heldError;
    }

    /** Whether anything has reached the real response (its head, or part of its body). */
    public boolean isReleased() {
        return released;
    }

    /** Whether an error or redirect was sent, so that the body is ignored. */
    boolean failed() {
        return failed;
    }

    ServletOutputStream realStream() throws IOException {
        return super.getOutputStream();
    }

    /** The handler flushed: for a response held until flushed, the time to send it. */
    void flushed() throws IOException {
        if (!released && releaseOnFlush && !failed) {
            startStreaming();
        }
    }

    /**
     * Sends what is held, complete: status, headers, {@code Content-Length} and body. For responses that are
     * not stored. Does nothing when detached or already released.
     */
    public void release() throws IOException {
        flushWriter();
        if (released || detached || failed) {
            return;
        }
        byte[] held = body.held();
        long declared = head.declaredLength;
        releaseHead();
        // A HEAD handler may declare the length of a body it does not write.
        super.setContentLengthLong(held.length == 0 && declared > 0 ? declared : held.length);
        if (held.length > 0) {
            super.getOutputStream().write(held);
        }
    }

    /** Sends what is held and streams the rest: past the limit, when flushed, and for non-blocking output. */
    void startStreaming() throws IOException {
        byte[] held = body.held();
        long declared = head.declaredLength;
        releaseHead();
        if (declared >= 0) {
            super.setContentLengthLong(declared);
        }
        if (held.length > 0) {
            super.getOutputStream().write(held);
        }
    }

    private void releaseHead() {
        beforeRelease.accept(this);
        released = true;
        body.released();
        head.applyTo((HttpServletResponse) getResponse());
    }

    private void flushWriter() {
        if (writer != null) {
            writer.flush();
        }
    }

    // --- status and errors

    @Override
    public void setStatus(int sc) {
        if (released) {
            super.setStatus(sc);
        } else {
            head.status = sc;
        }
    }

    @Override
    public int getStatus() {
        return released ? super.getStatus() : head.status;
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        if (holdOrRelease(sc)) {
            super.sendError(sc, msg);
        }
    }

    @Override
    public void sendError(int sc) throws IOException {
        if (holdOrRelease(sc)) {
            super.sendError(sc);
        }
    }

    /** Whether the error is to be sent by the real response; otherwise it is held. */
    private boolean holdOrRelease(int sc) {
        if (released) {
            return true;
        }
        head.status = sc;
        body.discard();
        if (holdServerErrors && sc >= 500) {
            heldError = true;
            return false;
        }
        failed = true;
        if (detached) {
            return false;
        }
        releaseHead();
        return true;
    }

    /** Keeps the target, so that the release hook sees it as the {@code Location} (to invalidate it). */
    private void redirecting(String location) {
        if (!released && location != null) {
            header("Location", location, true);
        }
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        redirecting(location);
        if (holdOrRelease(SC_FOUND)) {
            super.sendRedirect(location);
        }
    }

    @Override
    public void sendRedirect(String location, int sc) throws IOException {
        redirecting(location);
        if (holdOrRelease(SC_FOUND)) {
            super.sendRedirect(location, sc);
        }
    }

    @Override
    public void sendRedirect(String location, boolean clearBuffer) throws IOException {
        redirecting(location);
        if (holdOrRelease(SC_FOUND)) {
            super.sendRedirect(location, clearBuffer);
        }
    }

    @Override
    public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
        redirecting(location);
        if (holdOrRelease(SC_FOUND)) {
            super.sendRedirect(location, sc, clearBuffer);
        }
    }

    // --- headers

    @Override
    public void setHeader(String name, String value) {
        header(name, value, true);
    }

    @Override
    public void addHeader(String name, String value) {
        header(name, value, false);
    }

    @Override
    public void setIntHeader(String name, int value) {
        header(name, Integer.toString(value), true);
    }

    @Override
    public void addIntHeader(String name, int value) {
        header(name, Integer.toString(value), false);
    }

    @Override
    public void setDateHeader(String name, long date) {
        header(name, HTTP_DATE.format(Instant.ofEpochMilli(date)), true);
    }

    @Override
    public void addDateHeader(String name, long date) {
        header(name, HTTP_DATE.format(Instant.ofEpochMilli(date)), false);
    }

    private void header(String name, String value, boolean replace) {
        if (name == null) {
            return;
        }
        if (!released || head.isTagHeader(name)) {
            head.header(name, value, replace, writer != null);
        } else if ("Content-Length".equalsIgnoreCase(name)) {
            super.setHeader(name, value);
        } else if (replace) {
            super.setHeader(name, value);
        } else {
            super.addHeader(name, value);
        }
    }

    @Override
    public boolean containsHeader(String name) {
        return getHeader(name) != null;
    }

    @Override
    public String getHeader(String name) {
        Collection<String> values = getHeaders(name);
        return values.isEmpty() ? null : values.iterator().next();
    }

    @Override
    public Collection<String> getHeaders(String name) {
        if (released && !head.isTagHeader(name)) {
            return super.getHeaders(name);
        }
        return head.values(name, detached ? n -> List.of() : super::getHeaders);
    }

    @Override
    public Collection<String> getHeaderNames() {
        if (released) {
            return super.getHeaderNames();
        }
        Set<String> names = new LinkedHashSet<>(detached ? List.of() : super.getHeaderNames());
        names.addAll(head.names());
        return names;
    }

    @Override
    public void addCookie(Cookie cookie) {
        if (released) {
            super.addCookie(cookie);
        } else {
            head.cookie(cookie);
        }
    }

    // --- content type, encoding, locale, length

    @Override
    public void setContentType(String type) {
        if (released) {
            super.setContentType(type);
        } else {
            head.contentType(type, writer != null);
        }
    }

    @Override
    public String getContentType() {
        return released ? super.getContentType() : head.contentType();
    }

    @Override
    public void setCharacterEncoding(String encoding) {
        if (released) {
            super.setCharacterEncoding(encoding);
        } else if (writer == null) {
            head.charset(encoding);
        }
    }

    @Override
    public String getCharacterEncoding() {
        if (released) {
            return super.getCharacterEncoding();
        }
        return head.charset() != null ? head.charset() : super.getCharacterEncoding();
    }

    @Override
    public void setLocale(Locale locale) {
        if (released) {
            super.setLocale(locale);
        } else if (locale != null) {
            head.locale(locale, writer != null);
        }
    }

    @Override
    public Locale getLocale() {
        return !released && head.locale() != null ? head.locale() : super.getLocale();
    }

    @Override
    public void setContentLength(int len) {
        setContentLengthLong(len);
    }

    @Override
    public void setContentLengthLong(long len) {
        if (released) {
            super.setContentLengthLong(len);
        } else {
            head.declaredLength = len;
        }
    }

    // --- buffer and body

    @Override
    public boolean isCommitted() {
        return released && super.isCommitted();
    }

    @Override
    public void setBufferSize(int size) {
        if (!detached) {
            super.setBufferSize(size);
        }
    }

    @Override
    public int getBufferSize() {
        return detached ? limit : super.getBufferSize();
    }

    @Override
    public void flushBuffer() throws IOException {
        flushWriter();
        flushed();
        if (released) {
            super.flushBuffer();
        }
    }

    @Override
    public void reset() {
        if (released) {
            super.reset();
            return;
        }
        head.reset();
        heldError = false;
        body.discard();
    }

    @Override
    public void resetBuffer() {
        if (released) {
            super.resetBuffer();
        } else {
            body.discard();
        }
    }

    @Override
    public ServletOutputStream getOutputStream() {
        if (writer != null) {
            throw new IllegalStateException("getWriter() has already been called for this response");
        }
        streamObtained = true;
        return body;
    }

    @Override
    public PrintWriter getWriter() {
        if (writer == null) {
            if (streamObtained) {
                throw new IllegalStateException("getOutputStream() has already been called for this response");
            }
            String encoding = getCharacterEncoding();
            if (head.charset() == null && !released) {
                head.charset(encoding); // as containers do: the writer's charset becomes explicit
            }
            writer = new PrintWriter(new OutputStreamWriter(body, charset(encoding)), false);
        }
        return writer;
    }

    private static Charset charset(String name) {
        try {
            return name == null ? StandardCharsets.ISO_8859_1 : Charset.forName(name);
        } catch (IllegalArgumentException e) {
            return StandardCharsets.ISO_8859_1; // the servlet default, for an encoding this JVM lacks
        }
    }
}
