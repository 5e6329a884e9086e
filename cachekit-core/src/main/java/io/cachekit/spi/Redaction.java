package io.cachekit.spi;

/** Removes credentials from URIs before they reach a log line, an exception or {@code toString}. */
public final class Redaction {
    private Redaction() {}

    /** {@code redis://user:secret@host} becomes {@code redis://***@host}; other text is returned as it is. */
    public static String redactUri(String uri) {
        if (uri == null) {
            return null;
        }
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
