package io.cachekit.http.internal;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.SequenceInputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A request as the handler sees it when the cache had to change it: a {@code HEAD} run as a {@code GET}
 * (so that it fills the {@code GET} entry), or a {@code POST} whose body the cache read to key it, given to
 * the handler again from the bytes read. Used by the one thread that handles the request at a time; not API.
 */
public final class ReplayingRequest extends HttpServletRequestWrapper {
    private final String method;
    private final byte[] head;
    private final boolean complete;
    private ServletInputStream stream;
    private BufferedReader reader;

    private ReplayingRequest(HttpServletRequest request, String method, byte[] head, boolean complete) {
        super(request);
        this.method = method;
        this.head = head;
        this.complete = complete;
    }

    /** {@code request} with the method {@code GET}. */
    public static HttpServletRequest asGet(HttpServletRequest request) {
        return new ReplayingRequest(request, "GET", null, false);
    }

    /**
     * Reads the body of {@code request}, at most {@code limit} bytes of it.
     *
     * @return the request with its body readable again, and the body when it was read whole
     */
    public static Read readBody(HttpServletRequest request, int limit) throws IOException {
        InputStream in = request.getInputStream();
        byte[] head = in.readNBytes(limit + 1);
        boolean complete = head.length <= limit;
        ReplayingRequest replaying = new ReplayingRequest(request, null, head, complete);
        return new Read(replaying, complete ? head : null);
    }

    /**
     * A request whose body was read.
     *
     * @param request the request to hand on, its body readable from the start
     * @param body the whole body, or null when it was longer than the limit
     */
    public record Read(HttpServletRequest request, byte[] body) {}

    /** Whether {@code contentType} is a form, whose parameters the container reads from the body itself. */
    public static boolean isForm(String contentType) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        return type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/");
    }

    @Override
    public String getMethod() {
        return method != null ? method : super.getMethod();
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
        if (head == null) {
            return super.getInputStream();
        }
        if (reader != null) {
            throw new IllegalStateException("getReader() has already been called for this request");
        }
        if (stream == null) {
            InputStream bytes = new ByteArrayInputStream(head);
            stream = new Replayed(complete ? bytes : new SequenceInputStream(bytes, super.getInputStream()));
        }
        return stream;
    }

    @Override
    public BufferedReader getReader() throws IOException {
        if (head == null) {
            return super.getReader();
        }
        if (reader == null) {
            if (stream != null) {
                throw new IllegalStateException("getInputStream() has already been called for this request");
            }
            ServletInputStream in = getInputStream();
            stream = null;
            reader = new BufferedReader(new InputStreamReader(in, charset()));
        }
        return reader;
    }

    private Charset charset() throws UnsupportedEncodingException {
        String name = getCharacterEncoding();
        try {
            return name == null ? StandardCharsets.ISO_8859_1 : Charset.forName(name);
        } catch (IllegalArgumentException e) {
            throw new UnsupportedEncodingException(name);
        }
    }

    /** The replayed body. */
    private final class Replayed extends ServletInputStream {
        private final InputStream in;
        private boolean finished;

        Replayed(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            finished = b < 0;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            finished = n < 0;
            return n;
        }

        @Override
        public boolean isFinished() {
            return finished;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            if (!complete) {
                throw new IllegalStateException("Non-blocking input of a partly read body is not supported");
            }
            try {
                listener.onDataAvailable();
                listener.onAllDataRead();
            } catch (IOException e) {
                listener.onError(e);
            }
        }
    }
}
