package io.cachekit.spring.internal;

import io.cachekit.CachekitConfig;
import io.cachekit.http.ResponseCacheFilter;
import io.cachekit.http.ResponseCachePolicy;
import io.cachekit.spi.Durations;
import io.cachekit.spring.CachedResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.server.PathContainer;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Chooses the response caching policy of a request in a Spring MVC application: the handler method's (or its
 * controller's) {@link CachedResponse}, found through the same handler mappings the dispatcher uses; else the
 * configured policy when the path matches a configured pattern ({@code cachekit.http.paths}, and for {@code
 * POST} {@code cachekit.http.post-paths}); else none. For an annotated handler it also puts the annotation's
 * tags, with the request's path variables filled in, in {@link ResponseCacheFilter#TAGS_ATTRIBUTE}.
 *
 * <p>The handler lookup runs only for requests whose method may be cached ({@code GET}, {@code HEAD}, {@code
 * POST}), and only when some handler carries the annotation; it leaves no request attributes behind but the
 * tags. Thread-safe; not API.
 */
public final class SpringResponseCachePolicies
        implements ResponseCacheFilter.PolicySelector, SmartInitializingSingleton {
    private static final String SUPPRESS_LOGGING_ATTRIBUTE =
            "org.springframework.web.servlet.handler.AbstractHandlerMapping.SUPPRESS_LOGGING";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]+)}");
    private static final Pattern PATH_VARIABLE = Pattern.compile("\\{\\*?([^{}:]+)(:[^{}]*)?}");

    private final ResponseCachePolicy base;
    private final ResponseCachePolicy basePost;
    private final List<PathPattern> paths;
    private final List<PathPattern> postPaths;
    private final Supplier<List<RequestMappingHandlerMapping>> mappings;
    private final ConcurrentMap<Method, Optional<Annotated>> byHandler = new ConcurrentHashMap<>();
    private volatile Boolean anyAnnotated;

    /** An annotated handler's policy and tag templates. */
    private record Annotated(ResponseCachePolicy policy, List<String> tags) {}

    /**
     * @param base the configured policy
     * @param paths path patterns in {@link PathPattern} syntax whose {@code GET}s use {@code base}
     * @param postPaths path patterns whose {@code POST}s are cached under {@code base}
     * @param mappings the application's request mappings, looked up on first use
     * @throws IllegalArgumentException for a malformed pattern
     */
    public SpringResponseCachePolicies(
            ResponseCachePolicy base,
            List<String> paths,
            List<String> postPaths,
            Supplier<List<RequestMappingHandlerMapping>> mappings) {
        this.base = Objects.requireNonNull(base, "base");
        this.basePost = base.toBuilder().cachePost(true).build();
        this.mappings = Objects.requireNonNull(mappings, "mappings");
        this.paths = parse("cachekit.http.paths", paths);
        this.postPaths = parse("cachekit.http.post-paths", postPaths);
    }

    private static List<PathPattern> parse(String property, List<String> patterns) {
        List<PathPattern> parsed = new ArrayList<>();
        for (String path : patterns) {
            try {
                parsed.add(PathPatternParser.defaultInstance.parse(path));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "Invalid " + property + " pattern '" + path + "': " + e.getMessage(), e);
            }
        }
        return List.copyOf(parsed);
    }

    @Override
    public ResponseCachePolicy select(HttpServletRequest request) {
        String method = request.getMethod().toUpperCase(Locale.ROOT);
        boolean post = method.equals("POST");
        if (!post && !base.methods().contains(method)) {
            return null;
        }
        if (anyAnnotated()) {
            ResponseCachePolicy annotated = fromHandler(request, post);
            if (annotated != null) {
                return annotated;
            }
        }
        List<PathPattern> patterns = post ? postPaths : paths;
        if (!patterns.isEmpty()) {
            PathContainer path = PathContainer.parsePath(
                    request.getRequestURI().substring(request.getContextPath().length()));
            for (PathPattern pattern : patterns) {
                if (pattern.matches(path)) {
                    return post ? basePost : base;
                }
            }
        }
        return null;
    }

    private boolean anyAnnotated() {
        Boolean any = anyAnnotated;
        if (any == null) {
            any = false;
            for (RequestMappingHandlerMapping mapping : mappings.get()) {
                for (HandlerMethod handler : mapping.getHandlerMethods().values()) {
                    if (annotation(handler) != null) {
                        any = true;
                    }
                }
            }
            anyAnnotated = any;
        }
        return any;
    }

    private ResponseCachePolicy fromHandler(HttpServletRequest request, boolean post) {
        AttributeIsolatingRequest isolated = new AttributeIsolatingRequest(request);
        isolated.setAttribute(SUPPRESS_LOGGING_ATTRIBUTE, Boolean.TRUE);
        for (RequestMappingHandlerMapping mapping : mappings.get()) {
            HandlerExecutionChain chain;
            try {
                chain = mapping.getHandler(isolated);
            } catch (Exception e) {
                // This mapping rejects the request (a media type it cannot produce, say): try the next one.
                continue;
            }
            if (chain != null && chain.getHandler() instanceof HandlerMethod handler) {
                Annotated annotated = byHandler
                        .computeIfAbsent(handler.getMethod(), m -> Optional.ofNullable(annotated(handler)))
                        .orElse(null);
                if (annotated == null || (post && !annotated.policy().cachePost())) {
                    return null;
                }
                if (!annotated.tags().isEmpty()) {
                    request.setAttribute(
                            ResponseCacheFilter.TAGS_ATTRIBUTE,
                            tags(
                                    annotated.tags(),
                                    isolated.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE)));
                }
                return annotated.policy();
            }
        }
        return null;
    }

    /** The tag templates with the request's path variables filled in. */
    private static List<String> tags(List<String> templates, Object variables) {
        Map<?, ?> values = variables instanceof Map<?, ?> map ? map : Map.of();
        List<String> tags = new ArrayList<>(templates.size());
        for (String template : templates) {
            Matcher m = PLACEHOLDER.matcher(template);
            StringBuilder tag = new StringBuilder();
            while (m.find()) {
                Object value = values.get(m.group(1));
                m.appendReplacement(tag, Matcher.quoteReplacement(value == null ? m.group() : value.toString()));
            }
            m.appendTail(tag);
            tags.add(tag.toString());
        }
        return tags;
    }

    private Annotated annotated(HandlerMethod handler) {
        CachedResponse annotation = annotation(handler);
        if (annotation == null) {
            return null;
        }
        ResponseCachePolicy.Builder builder = base.toBuilder();
        try {
            if (!annotation.ttl().isEmpty()) {
                builder.ttl(CachekitConfig.parseTtl(annotation.ttl()));
            }
            if (!annotation.staleWhileRevalidate().isEmpty()) {
                builder.staleWhileRevalidate(Durations.parse(annotation.staleWhileRevalidate()));
            }
            if (!annotation.staleIfError().isEmpty()) {
                builder.staleIfError(Durations.parse(annotation.staleIfError()));
            }
            if (annotation.varyHeaders().length > 0) {
                List<String> vary = new ArrayList<>(base.varyHeaders());
                vary.addAll(List.of(annotation.varyHeaders()));
                builder.varyHeaders(vary);
            }
            builder.cachePost(annotation.cachePost());
            for (String tag : annotation.tags()) {
                if (tag.isBlank()) {
                    throw new IllegalArgumentException("a tag must not be empty");
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Invalid @CachedResponse on " + handler.getMethod() + ": " + e.getMessage(), e);
        }
        return new Annotated(builder.build(), List.of(annotation.tags()));
    }

    private static CachedResponse annotation(HandlerMethod handler) {
        CachedResponse onMethod = AnnotatedElementUtils.findMergedAnnotation(handler.getMethod(), CachedResponse.class);
        return onMethod != null
                ? onMethod
                : AnnotatedElementUtils.findMergedAnnotation(handler.getBeanType(), CachedResponse.class);
    }

    /**
     * Checks every annotated handler once the handler mappings exist, so that an invalid annotation fails the
     * startup: its values, and that each tag's placeholders name path variables of every path it maps.
     *
     * @throws IllegalArgumentException naming the method and the problem
     */
    @Override
    public void afterSingletonsInstantiated() {
        for (RequestMappingHandlerMapping mapping : mappings.get()) {
            for (Map.Entry<RequestMappingInfo, HandlerMethod> e :
                    mapping.getHandlerMethods().entrySet()) {
                HandlerMethod handler = e.getValue();
                Annotated annotated = byHandler
                        .computeIfAbsent(handler.getMethod(), m -> Optional.ofNullable(annotated(handler)))
                        .orElse(null);
                if (annotated != null) {
                    checkPlaceholders(handler, annotated.tags(), e.getKey().getPatternValues());
                }
            }
        }
    }

    private static void checkPlaceholders(HandlerMethod handler, List<String> tags, Set<String> patterns) {
        for (String pattern : patterns) {
            Set<String> variables = new LinkedHashSet<>();
            Matcher v = PATH_VARIABLE.matcher(pattern);
            while (v.find()) {
                variables.add(v.group(1));
            }
            for (String tag : tags) {
                Matcher p = PLACEHOLDER.matcher(tag);
                while (p.find()) {
                    if (!variables.contains(p.group(1))) {
                        throw new IllegalArgumentException("Invalid @CachedResponse on " + handler.getMethod()
                                + ": the tag '" + tag + "' names {" + p.group(1) + "}, which is no path variable of "
                                + pattern);
                    }
                }
            }
        }
    }
}
