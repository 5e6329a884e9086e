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
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
    /** Headers that other components may set on the real response and that decide whether it may be stored. */
    private static final List<String> DECIDING_HEADERS = List.of("Set-Cookie", "Set-Cookie2", "Cache-Control", "Vary");

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    private final boolean detached;
    private final int limit;
    private final String tagHeader;
    private final boolean holdServerErrors;
    private final Consumer<HeldResponse> beforeRelease;
    private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final Set<String> replaced = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    private final List<Cookie> cookies = new ArrayList<>();
    private final List<String> tags = new ArrayList<>();
    private int status = SC_OK;
    private String contentType;
    private String charset;
    private Locale locale;
    private long declaredLength = -1;
    private ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
    private boolean released;
    private boolean failed;
    private boolean heldError;
    private boolean overflow;
    private ServletOutputStream stream;
    private PrintWriter writer;

    private HeldResponse(
            HttpServletResponse response,
            boolean detached,
            int limit,
            String tagHeader,
            boolean holdServerErrors,
            Consumer<HeldResponse> beforeRelease) {
        super(response);
        this.detached = detached;
        this.limit = limit;
        this.tagHeader = tagHeader;
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
        return new HeldResponse(response, false, limit, tagHeader, holdServerErrors, beforeRelease);
    }

    /** A response that never reaches {@code response}, for a handler run after the client has its answer. */
    public static HeldResponse detached(HttpServletResponse response, int limit, String tagHeader) {
        return new HeldResponse(response, true, limit, tagHeader, false, held -> {});
    }

    /**
     * The complete response, or null when it was released (streamed, an error or redirect sent) or, detached,
     * grew past the limit. A held server error is a response of its status with an empty body.
     */
    public CapturedResponse capture() {
        flushWriter();
        if (released || failed || overflow) {
            return null;
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        String type = getContentType();
        if (type != null) {
            out.put("Content-Type", new ArrayList<>(List.of(type)));
        }
        headers.forEach((name, values) ->
                out.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values));
        for (Cookie cookie : cookies) {
            out.computeIfAbsent("Set-Cookie", n -> new ArrayList<>()).add(cookie.getName() + "=(held)");
        }
        if (!detached) {
            for (String name : DECIDING_HEADERS) {
                Collection<String> theirs = super.getHeaders(name);
                if (theirs != null && !theirs.isEmpty() && !replaced.contains(name)) {
                    out.computeIfAbsent(name, n -> new ArrayList<>()).addAll(theirs);
                }
            }
        }
        byte[] body = heldError ? new byte[0] : buffer.toByteArray();
        return new CapturedResponse(status, out, body, ResponseTagging.normalize(tags));
    }

    /** Whether a server error was held back (see {@link #attached}) rather than sent. */
    public boolean heldError() {
        return heldError;
    }

    /** Whether anything has reached the real response (its head, or part of its body). */
    public boolean isReleased() {
        return released;
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
        byte[] held = buffer.toByteArray();
        releaseHead();
        // A HEAD handler may declare the length of a body it does not write.
        super.setContentLengthLong(held.length == 0 && declaredLength > 0 ? declaredLength : held.length);
        if (held.length > 0) {
            super.getOutputStream().write(held);
        }
    }

    /** Sends what is held and streams the rest: past the limit, and for non-blocking output. */
    private void startStreaming() throws IOException {
        byte[] held = buffer.toByteArray();
        releaseHead();
        if (declaredLength >= 0) {
            super.setContentLengthLong(declaredLength);
        }
        if (held.length > 0) {
            super.getOutputStream().write(held);
        }
    }

    private void releaseHead() {
        beforeRelease.accept(this);
        released = true;
        buffer = null;
        HttpServletResponse real = (HttpServletResponse) getResponse();
        real.setStatus(status);
        if (contentType != null) {
            real.setContentType(contentType);
        }
        if (charset != null) {
            real.setCharacterEncoding(charset);
        }
        if (locale != null) {
            real.setLocale(locale);
        }
        headers.forEach((name, values) -> {
            for (int i = 0; i < values.size(); i++) {
                if (i == 0 && replaced.contains(name)) {
                    real.setHeader(name, values.get(i));
                } else {
                    real.addHeader(name, values.get(i));
                }
            }
        });
        cookies.forEach(real::addCookie);
    }

    private void flushWriter() {
        if (writer != null) {
            writer.flush();
        }
    }

    private void discard() {
        if (buffer != null) {
            buffer.reset();
        }
    }

    // --- status and errors

    @Override
    public void setStatus(int sc) {
        if (released) {
            super.setStatus(sc);
        } else {
            status = sc;
        }
    }

    @Override
    public int getStatus() {
        return released ? super.getStatus() : status;
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
        status = sc;
        discard();
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
        if (tagHeader != null && tagHeader.equalsIgnoreCase(name)) {
            if (replace) {
                tags.clear();
            }
            if (value != null) {
                tags.addAll(ResponseTagging.parseHeader(List.of(value)));
            }
        } else if ("Content-Length".equalsIgnoreCase(name)) {
            setContentLengthLong(parseLength(value));
        } else if ("Content-Type".equalsIgnoreCase(name)) {
            setContentType(value);
        } else if (released) {
            if (replace) {
                super.setHeader(name, value);
            } else {
                super.addHeader(name, value);
            }
        } else if (replace) {
            headers.remove(name);
            replaced.add(name);
            if (value != null) {
                headers.put(name, new ArrayList<>(List.of(value)));
            }
        } else if (value != null) {
            headers.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
    }

    private static long parseLength(String value) {
        try {
            return value == null ? -1 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1; // not a length: the filter sets the real one from the body
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
        if (tagHeader != null && tagHeader.equalsIgnoreCase(name)) {
            return tags.isEmpty() ? List.of() : List.of(String.join(", ", tags));
        }
        if (released) {
            return super.getHeaders(name);
        }
        if ("Content-Type".equalsIgnoreCase(name)) {
            String type = getContentType();
            return type == null ? List.of() : List.of(type);
        }
        if (detached) {
            return List.copyOf(headers.getOrDefault(name, List.of()));
        }
        List<String> values = new ArrayList<>();
        if (!replaced.contains(name)) {
            values.addAll(super.getHeaders(name));
        }
        values.addAll(headers.getOrDefault(name, List.of()));
        return values;
    }

    @Override
    public Collection<String> getHeaderNames() {
        if (released) {
            return super.getHeaderNames();
        }
        Set<String> names = new LinkedHashSet<>(detached ? List.of() : super.getHeaderNames());
        names.addAll(headers.keySet());
        return names;
    }

    @Override
    public void addCookie(Cookie cookie) {
        if (released) {
            super.addCookie(cookie);
        } else {
            cookies.add(cookie);
        }
    }

    // --- content type, encoding, locale, length

    @Override
    public void setContentType(String type) {
        if (released) {
            super.setContentType(type);
            return;
        }
        if (type == null) {
            contentType = null;
            return;
        }
        StringBuilder kept = new StringBuilder();
        for (String part : type.split(";")) {
            String p = part.trim();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                if (writer == null) {
                    charset = p.substring(8).replace("\"", "").trim();
                }
            } else if (!p.isEmpty()) {
                kept.append(kept.length() == 0 ? "" : ";").append(p);
            }
        }
        contentType = kept.length() == 0 ? null : kept.toString();
    }

    @Override
    public String getContentType() {
        if (released) {
            return super.getContentType();
        }
        return contentType == null ? null : charset == null ? contentType : contentType + ";charset=" + charset;
    }

    @Override
    public void setCharacterEncoding(String encoding) {
        if (released) {
            super.setCharacterEncoding(encoding);
        } else if (writer == null) {
            charset = encoding;
        }
    }

    @Override
    public String getCharacterEncoding() {
        if (released) {
            return super.getCharacterEncoding();
        }
        return charset != null ? charset : super.getCharacterEncoding();
    }

    @Override
    public void setLocale(Locale locale) {
        if (released) {
            super.setLocale(locale);
        } else if (locale != null) {
            this.locale = locale;
            header("Content-Language", locale.toLanguageTag(), true);
        }
    }

    @Override
    public Locale getLocale() {
        return !released && locale != null ? locale : super.getLocale();
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
            declaredLength = len;
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
        status = SC_OK;
        headers.clear();
        replaced.clear();
        cookies.clear();
        tags.clear();
        contentType = null;
        locale = null;
        declaredLength = -1;
        heldError = false;
        discard();
    }

    @Override
    public void resetBuffer() {
        if (released) {
            super.resetBuffer();
        } else {
            discard();
        }
    }

    @Override
    public ServletOutputStream getOutputStream() {
        if (writer != null) {
            throw new IllegalStateException("getWriter() has already been called for this response");
        }
        if (stream == null) {
            stream = new HeldStream();
        }
        return stream;
    }

    @Override
    public PrintWriter getWriter() {
        if (writer == null) {
            if (stream != null) {
                throw new IllegalStateException("getOutputStream() has already been called for this response");
            }
            String encoding = getCharacterEncoding();
            if (charset == null && !released) {
                charset = encoding; // as containers do: the writer's charset becomes explicit
            }
            writer = new PrintWriter(new OutputStreamWriter(new HeldStream(), charset(encoding)), false);
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

    /** The stream the handler writes to: into the buffer, or to the real response once released. */
    private final class HeldStream extends ServletOutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (released) {
                if (!failed) {
                    HeldResponse.super.getOutputStream().write(b, off, len);
                }
            } else if (failed || heldError || overflow) {
                return; // after sendError the container ignores body writes, and so does this response
            } else if ((long) buffer.size() + len <= limit) {
                buffer.write(b, off, len);
            } else if (detached) {
                overflow = true;
                buffer = null;
            } else {
                startStreaming();
                HeldResponse.super.getOutputStream().write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            if (released && !failed) {
                HeldResponse.super.getOutputStream().flush();
            }
        }

        @Override
        public void close() throws IOException {
            if (released && !failed) {
                HeldResponse.super.getOutputStream().close();
            }
        }

        @Override
        public boolean isReady() {
            if (!released) {
                return true;
            }
            try {
                return HeldResponse.super.getOutputStream().isReady();
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
                if (!released) {
                    startStreaming();
                }
                HeldResponse.super.getOutputStream().setWriteListener(listener);
            } catch (IOException e) {
                throw new IllegalStateException("The response's output stream is not available", e);
            }
        }
    }
}
