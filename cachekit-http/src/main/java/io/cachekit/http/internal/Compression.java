package io.cachekit.http.internal;

import io.cachekit.http.CapturedResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * Compression of stored responses: which requests accept gzip ({@code Accept-Encoding}, RFC 9110 section
 * 12.5.3), which responses are worth compressing, and the gzip coding itself. Stateless; not API.
 */
public final class Compression {
    private static final Set<String> COMPRESSIBLE = Set.of(
            "application/json",
            "application/xml",
            "application/javascript",
            "application/x-javascript",
            "application/ecmascript",
            "application/x-ndjson",
            "application/graphql-response+json",
            "image/svg+xml");

    private Compression() {}

    /**
     * Whether a request with these {@code Accept-Encoding} values accepts {@code gzip}: named (or as {@code
     * x-gzip}) with a non-zero weight, or covered by {@code *} when not refused by name. Absent means no.
     */
    public static boolean acceptsGzip(List<String> acceptEncoding) {
        TreeMap<String, Double> weights = weights(acceptEncoding);
        Double gzip = weights.containsKey("gzip") ? weights.get("gzip") : weights.get("x-gzip");
        if (gzip != null) {
            return gzip > 0;
        }
        Double any = weights.get("*");
        return any != null && any > 0;
    }

    /**
     * The codings a request accepts, with a non-zero weight, sorted and comma-separated: what a key holds for
     * a response that names {@code Accept-Encoding} in its own {@code Vary}, so that clients sending the same
     * codings in another order or with other weights share an entry.
     */
    public static String acceptedCodings(List<String> acceptEncoding) {
        StringBuilder out = new StringBuilder();
        weights(acceptEncoding).forEach((coding, weight) -> {
            if (weight > 0) {
                out.append(out.length() == 0 ? "" : ",").append(coding);
            }
        });
        return out.toString();
    }

    private static TreeMap<String, Double> weights(List<String> acceptEncoding) {
        TreeMap<String, Double> weights = new TreeMap<>();
        for (String header : acceptEncoding) {
            for (String element : header.split(",")) {
                String[] parts = element.split(";");
                String coding = parts[0].trim().toLowerCase(Locale.ROOT);
                if (coding.isEmpty()) {
                    continue;
                }
                double q = 1;
                for (int i = 1; i < parts.length; i++) {
                    String p = parts[i].trim();
                    if (p.length() > 2 && (p.startsWith("q=") || p.startsWith("Q="))) {
                        try {
                            q = Double.parseDouble(p.substring(2));
                        } catch (NumberFormatException e) {
                            q = 0; // a weight that cannot be read does not accept the coding
                        }
                    }
                }
                weights.putIfAbsent(coding, q);
            }
        }
        return weights;
    }

    /**
     * Whether a response is worth storing gzip-coded as well: a textual content type (text, JSON, XML,
     * JavaScript, SVG), no {@code Content-Encoding} of its own, no {@code Cache-Control: no-transform}, and at
     * least {@code minBytes} of body.
     */
    public static boolean compressible(CapturedResponse response, int minBytes) {
        if (response.body().length < minBytes
                || !response.headers("Content-Encoding").isEmpty()
                || CacheControl.parse(response.headers("Cache-Control")).noTransform()) {
            return false;
        }
        List<String> types = response.headers("Content-Type");
        if (types.isEmpty()) {
            return false;
        }
        String type = types.get(0).split(";")[0].trim().toLowerCase(Locale.ROOT);
        return type.startsWith("text/")
                || type.endsWith("+json")
                || type.endsWith("+xml")
                || COMPRESSIBLE.contains(type);
    }

    /** {@code body} in the gzip coding. */
    public static byte[] gzip(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.length / 3));
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException("unreachable: writing to memory", e);
        }
        return out.toByteArray();
    }
}
