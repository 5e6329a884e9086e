package io.cachekit.spi;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Removes credentials from URIs before they reach a log line, an exception or {@code toString}. */
public final class Redaction {
    /** Query options that hold secrets: any name containing one of these words, such as proxyPassword. */
    private static final Pattern SECRET_OPTION = Pattern.compile(
            "(?i)([?&;][a-z0-9_.-]*(?:password|passwd|pwd|secret|token|credential|accesskey|apikey)[a-z0-9_.-]*=)"
                    + "[^&;#\\s]*");

    private Redaction() {}

    /**
     * {@code redis://user:secret@host} becomes {@code redis://***@host}, and the values of query options whose
     * names hold a secret ({@code password=}, {@code proxyPassword=}, {@code sasl_secret=}, {@code token=} ...)
     * become {@code ***}; other text is returned as it is.
     */
    public static @Nullable String redactUri(@Nullable String uri) {
        if (uri == null) {
            return null;
        }
        return SECRET_OPTION.matcher(redactUserInfo(uri)).replaceAll("$1***");
    }

    private static String redactUserInfo(String uri) {
        int scheme = uri.indexOf("://");
        if (scheme < 0) {
            return uri;
        }
        int start = scheme + 3;
        int end = uri.length();
        for (int i = start; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        int at = uri.lastIndexOf('@', end - 1);
        if (at < start) {
            return uri;
        }
        return uri.substring(0, start) + "***" + uri.substring(at);
    }
}
