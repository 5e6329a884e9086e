package io.cachekit.memcached;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A memcached server seen through its text protocol, without xmemcached: what the tests use to look at what the
 * backend really stored. One connection per call; not for speed.
 */
final class RawMemcached {
    private final String host;
    private final int port;

    RawMemcached(String host, int port) {
        this.host = host;
        this.port = port;
    }

    int port() {
        return port;
    }

    /** Whether the server answers {@code version}. */
    boolean answers() {
        try {
            return call("version\r\n").startsWith("VERSION");
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the server holds {@code key} ({@code mg key}). */
    boolean has(String key) {
        return !metaGet(key, "").startsWith("EN");
    }

    /**
     * The seconds left of {@code key}'s expiry ({@code mg key t}): -1 when it never expires, {@code null} when the
     * server does not hold it.
     */
    Long ttlSeconds(String key) {
        String reply = metaGet(key, " t");
        if (reply.startsWith("EN")) {
            return null;
        }
        for (String token : reply.trim().split(" ")) {
            if (token.startsWith("t")) {
                return Long.parseLong(token.substring(1));
            }
        }
        throw new AssertionError("no TTL in the answer to mg " + key + " t: " + reply);
    }

    /** Stores {@code value} under {@code key} without expiry. */
    void set(String key, byte[] value) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("set " + key + " 0 0 " + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(value);
        request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        String reply = callOrFail(request.toByteArray());
        if (!reply.startsWith("STORED")) {
            throw new AssertionError("set " + key + " answered " + reply);
        }
    }

    /** Removes {@code key}. */
    void delete(String key) {
        String reply = callOrFail(("delete " + key + "\r\n").getBytes(StandardCharsets.US_ASCII));
        if (!reply.startsWith("DELETED") && !reply.startsWith("NOT_FOUND")) {
            throw new AssertionError("delete " + key + " answered " + reply);
        }
    }

    /** The server's counter {@code name} from {@code stats}, such as {@code get_hits}. */
    long stat(String name) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            socket.setSoTimeout(2000);
            socket.getOutputStream().write("stats\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            for (String line = lines.readLine(); line != null && !line.equals("END"); line = lines.readLine()) {
                String[] parts = line.split(" ");
                if (parts.length == 3 && parts[0].equals("STAT") && parts[1].equals(name)) {
                    return Long.parseLong(parts[2]);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("memcached on " + host + ":" + port + " does not answer", e);
        }
        throw new AssertionError("memcached on " + host + ":" + port + " has no stat " + name);
    }

    private String metaGet(String key, String flags) {
        return callOrFail(("mg " + key + flags + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    private String callOrFail(byte[] request) {
        try {
            return call(request);
        } catch (IOException e) {
            throw new AssertionError("memcached on " + host + ":" + port + " does not answer", e);
        }
    }

    private String call(String request) throws IOException {
        return call(request.getBytes(StandardCharsets.US_ASCII));
    }

    /** Sends {@code request} and returns the first line of the answer. */
    private String call(byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }
    }
}
