package io.cachekit.http;

import io.cachekit.http.internal.CacheControl;
import io.cachekit.http.internal.EntityTags;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a reply carries: the stored response's representation for this client (gzip or not), {@code 304}
 * when the client's validator matches it, and the cache headers ({@code ETag}, {@code Cache-Control}, {@code
 * Age}, {@code Vary}, {@code X-Cache}, {@code Cache-Status}). Stateless.
 */
final class Replies {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private Replies() {}

    static HttpResponseCache.Reply reply(RequestPlan plan, ServedResponse served, long nowMillis) {
        StoredResponse response = served.stored();
        boolean gzip = response.gzipBody() != null && plan.acceptsGzip();
        String etag = gzip ? EntityTags.gzipTag(response.etag()) : response.etag();
        boolean notModified = !plan.ifNoneMatch().isEmpty() && EntityTags.noneMatchSatisfied(plan.ifNoneMatch(), etag);
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> storedVary = List.of();
        // One pass, no lower-casing and no sorted copy: this runs on every hit.
        for (Map.Entry<String, List<String>> header : response.headers().entrySet()) {
            String name = header.getKey();
            if (name.equalsIgnoreCase("Vary")) {
                storedVary = storedVary.isEmpty() ? header.getValue() : concat(storedVary, header.getValue());
            } else if (!name.equalsIgnoreCase("Cache-Control") && (!notModified || keptBy304(name))) {
                merge(out, name, header.getValue());
            }
        }
        if (gzip && !notModified) {
            out.put("Content-Encoding", List.of("gzip"));
        }
        String vary = vary(storedVary, plan.policy(), response.gzipBody() != null);
        if (!vary.isEmpty()) {
            out.put("Vary", List.of(vary));
        }
        out.put("ETag", List.of(etag));
        out.put("Cache-Control", List.of(cacheControl(response, plan.perUser())));
        out.put("Age", List.of(Long.toString(Math.max(0, (nowMillis - response.storedAtMillis()) / 1000))));
        out.putAll(statusHeaders(served, nowMillis));
        if (notModified) {
            return new HttpResponseCache.Reply(304, out, null, -1);
        }
        byte[] body = gzip ? response.gzipBody() : response.body();
        return new HttpResponseCache.Reply(response.status(), out, plan.headOnly() ? null : body, body.length);
    }

    /** Whether a 304 repeats the stored header {@code name} (RFC 9110 section 15.4.5). */
    private static boolean keptBy304(String name) {
        return name.equalsIgnoreCase("Content-Location")
                || name.equalsIgnoreCase("Expires")
                || name.equalsIgnoreCase("Last-Modified");
    }

    /** Adds a header's values under the name already in {@code out} that differs only in case, if any. */
    private static void merge(Map<String, List<String>> out, String name, List<String> values) {
        for (Map.Entry<String, List<String>> e : out.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                e.setValue(concat(e.getValue(), values));
                return;
            }
        }
        out.put(name, values);
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /** {@code X-Cache} and {@code Cache-Status} (RFC 9211) for a served request. */
    static Map<String, List<String>> statusHeaders(ServedResponse served, long nowMillis) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        out.put(HttpResponseCache.X_CACHE, List.of(served.hit() ? "HIT" : "MISS"));
        out.put(HttpResponseCache.CACHE_STATUS, List.of(cacheStatus(served, nowMillis)));
        return out;
    }

    /** {@code X-Cache} and {@code Cache-Status} for a response streamed before it was complete. */
    static Map<String, List<String>> streamingHeaders(RequestPlan plan) {
        String fwd = plan.mode() == RequestPlan.Mode.LOOKUP ? "miss" : "request";
        Map<String, List<String>> out = new LinkedHashMap<>();
        out.put(HttpResponseCache.X_CACHE, List.of("MISS"));
        out.put(HttpResponseCache.CACHE_STATUS, List.of(HttpResponseCache.CACHE_NAME + "; fwd=" + fwd));
        return out;
    }

    private static String cacheStatus(ServedResponse served, long nowMillis) {
        StringBuilder s = new StringBuilder(HttpResponseCache.CACHE_NAME);
        StoredResponse stored = served.stored();
        switch (served.outcome()) {
            case HIT, STALE_WHILE_REVALIDATE -> s.append("; hit");
            case STALE, STALE_IF_ERROR -> s.append("; fwd=stale");
            case MISS -> s.append("; fwd=miss");
            case REQUEST -> s.append("; fwd=request");
            case BYPASS -> s.append("; fwd=bypass");
        }
        if (served.forwardStatus() > 0 && !served.collapsed()) {
            s.append("; fwd-status=").append(served.forwardStatus());
        }
        if (stored != null && (served.hit() || served.written())) {
            s.append("; ttl=").append(Math.floorDiv(stored.freshUntilMillis() - nowMillis, 1000));
        }
        if (served.written()) {
            s.append("; stored");
        }
        if (served.collapsed()) {
            s.append("; collapsed");
        }
        if (served.outcome() == ServedResponse.Outcome.STALE_IF_ERROR) {
            s.append("; detail=stale-if-error");
        } else if (served.detail() != null) {
            s.append("; detail=").append(served.detail());
        }
        return s.toString();
    }

    /**
     * The {@code Cache-Control} sent with a stored response: the handler's own directives (as a shared cache
     * forwards them, with {@code Age} telling how old the response is), with {@code max-age} set to the
     * response's freshness lifetime when the handler gave none, and for per-user responses {@code private}
     * in place of {@code public} and {@code s-maxage}.
     */
    static String cacheControl(StoredResponse response, boolean perUser) {
        CacheControl directives = CacheControl.parse(response.headerValues("Cache-Control"));
        StringBuilder out = new StringBuilder();
        if (perUser) {
            out.append("private");
        }
        directives.directives().forEach((name, argument) -> {
            if (perUser && (name.equals("public") || name.equals("s-maxage") || name.equals("private"))) {
                return;
            }
            out.append(out.length() == 0 ? "" : ", ").append(name);
            if (!argument.isEmpty()) {
                out.append('=')
                        .append(
                                TOKEN.matcher(argument).matches()
                                        ? argument
                                        : '"' + argument.replace("\\", "\\\\").replace("\"", "\\\"") + '"');
            }
        });
        if (directives.maxAge().isEmpty()) {
            out.append(out.length() == 0 ? "" : ", ").append("max-age=").append(response.lifetimeMillis() / 1000);
        }
        return out.toString();
    }

    /** The stored Vary names merged with the headers in the key, each once, in order of first mention. */
    private static String vary(List<String> stored, ResponseCachePolicy policy, boolean compressed) {
        if (stored.isEmpty()) {
            return policy.varyValue(compressed); // the usual case, computed once per policy
        }
        return mergedVary(stored, policy, compressed);
    }

    /** {@link #vary}, computed. */
    static String mergedVary(List<String> stored, ResponseCachePolicy policy, boolean compressed) {
        List<String> all = new ArrayList<>();
        for (String v : stored) {
            all.addAll(List.of(v.split(",")));
        }
        all.addAll(policy.varyHeaders());
        if (policy.perUserHeader() != null) {
            all.add(policy.perUserHeader());
        }
        if (compressed) {
            all.add("Accept-Encoding");
        }
        Map<String, String> names = new LinkedHashMap<>();
        for (String name : all) {
            String n = name.trim();
            if (!n.isEmpty()) {
                names.putIfAbsent(n.toLowerCase(Locale.ROOT), n);
            }
        }
        return String.join(", ", names.values());
    }
}
