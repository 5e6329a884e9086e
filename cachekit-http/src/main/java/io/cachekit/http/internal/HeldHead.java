package io.cachekit.http.internal;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The head of a {@link HeldResponse} while it is held: status, headers, content type and character encoding,
 * locale, cookies, declared length, and the tags read from the tag header. Content type and encoding follow the
 * servlet rules (a charset in the content type sets the encoding, unless the writer was obtained).
 *
 * <p>Used by the thread that handles the request; not thread-safe. Not API.
 */
final class HeldHead {
    /** Headers that other components may set on the real response and that decide whether it may be stored. */
    private static final List<String> DECIDING_HEADERS = List.of("Set-Cookie", "Set-Cookie2", "Cache-Control", "Vary");

    private final String tagHeader;
    private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final Set<String> replaced = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    private final List<Cookie> cookies = new ArrayList<>();
    private final List<String> tags = new ArrayList<>();
    int status = HttpServletResponse.SC_OK;
    long declaredLength = -1;
    private String contentType;
    private String charset;
    private Locale locale;

    /** @param tagHeader the header whose values are tags, or null */
    HeldHead(String tagHeader) {
        this.tagHeader = tagHeader;
    }

    boolean isTagHeader(String name) {
        return tagHeader != null && tagHeader.equalsIgnoreCase(name);
    }

    /**
     * Sets ({@code replace}) or adds a header; a null value removes it when set. {@code Content-Length} and
     * {@code Content-Type} are kept apart, and the tag header's values become tags.
     */
    void header(String name, String value, boolean replace, boolean writerObtained) {
        if (isTagHeader(name)) {
            if (replace) {
                tags.clear();
            }
            if (value != null) {
                tags.addAll(ResponseTagging.parseHeader(List.of(value)));
            }
        } else if ("Content-Length".equalsIgnoreCase(name)) {
            declaredLength = parseLength(value);
        } else if ("Content-Type".equalsIgnoreCase(name)) {
            contentType(value, writerObtained);
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

    /**
     * The values of a header as the handler would see them: the content type, the tags joined, or the held
     * values after those of {@code theirs} (the real response's, set by other components) unless the handler
     * replaced them.
     */
    List<String> values(String name, Function<String, Collection<String>> theirs) {
        if (isTagHeader(name)) {
            return tags.isEmpty() ? List.of() : List.of(String.join(", ", tags));
        }
        if ("Content-Type".equalsIgnoreCase(name)) {
            String type = contentType();
            return type == null ? List.of() : List.of(type);
        }
        List<String> values = new ArrayList<>();
        if (!replaced.contains(name)) {
            values.addAll(theirs.apply(name));
        }
        values.addAll(headers.getOrDefault(name, List.of()));
        return values;
    }

    Set<String> names() {
        return headers.keySet();
    }

    void contentType(String type, boolean writerObtained) {
        if (type == null) {
            contentType = null;
            return;
        }
        StringBuilder kept = new StringBuilder();
        for (String part : type.split(";")) {
            String p = part.trim();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                if (!writerObtained) {
                    charset = p.substring(8).replace("\"", "").trim();
                }
            } else if (!p.isEmpty()) {
                kept.append(kept.length() == 0 ? "" : ";").append(p);
            }
        }
        contentType = kept.length() == 0 ? null : kept.toString();
    }

    /** The content type with its charset, as containers report it ({@code text/plain;charset=UTF-8}). */
    String contentType() {
        return contentType == null ? null : charset == null ? contentType : contentType + ";charset=" + charset;
    }

    /** The explicitly set character encoding, or null. */
    String charset() {
        return charset;
    }

    void charset(String encoding) {
        charset = encoding;
    }

    Locale locale() {
        return locale;
    }

    void locale(Locale locale, boolean writerObtained) {
        this.locale = locale;
        header("Content-Language", locale.toLanguageTag(), true, writerObtained);
    }

    void cookie(Cookie cookie) {
        cookies.add(cookie);
    }

    List<String> tags() {
        return ResponseTagging.normalize(tags);
    }

    /**
     * The headers to capture: the content type, the held headers, a {@code Set-Cookie} for each held cookie
     * (which is never stored anyway), and the deciding headers that other components set on the real response.
     *
     * @param theirs the real response's values of a header, or none for a detached response
     */
    Map<String, List<String>> captured(Function<String, Collection<String>> theirs) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        String type = contentType();
        if (type != null) {
            out.put("Content-Type", new ArrayList<>(List.of(type)));
        }
        headers.forEach((name, values) ->
                out.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values));
        for (Cookie cookie : cookies) {
            out.computeIfAbsent("Set-Cookie", n -> new ArrayList<>()).add(cookie.getName() + "=(held)");
        }
        for (String name : DECIDING_HEADERS) {
            Collection<String> values = theirs.apply(name);
            if (values != null && !values.isEmpty() && !replaced.contains(name)) {
                out.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values);
            }
        }
        return out;
    }

    /** Gives the real response this status, content type, encoding, locale, headers and cookies. */
    void applyTo(HttpServletResponse real) {
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

    /** Forgets everything held, as {@code ServletResponse.reset()} does. */
    void reset() {
        status = HttpServletResponse.SC_OK;
        headers.clear();
        replaced.clear();
        cookies.clear();
        tags.clear();
        contentType = null;
        locale = null;
        declaredLength = -1;
    }
}
