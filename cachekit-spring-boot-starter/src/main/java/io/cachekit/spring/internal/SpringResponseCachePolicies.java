package io.cachekit.spring.internal;

import io.cachekit.CachekitConfig;
import io.cachekit.http.ResponseCacheFilter;
import io.cachekit.http.ResponseCachePolicy;
import io.cachekit.spring.CachedResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.server.PathContainer;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Chooses the response caching policy of a request in a Spring MVC application: the handler method's (or its
 * controller's) {@link CachedResponse}, found through the same handler mappings the dispatcher uses; else the
 * configured policy when the path matches a configured pattern; else none.
 *
 * <p>The handler lookup runs only for requests whose method the policy caches, and only when some handler
 * carries the annotation; it leaves no request attributes behind. Thread-safe; not API.
 */
public final class SpringResponseCachePolicies
        implements ResponseCacheFilter.PolicySelector, SmartInitializingSingleton {
    private static final String SUPPRESS_LOGGING_ATTRIBUTE =
            "org.springframework.web.servlet.handler.AbstractHandlerMapping.SUPPRESS_LOGGING";

    private final ResponseCachePolicy base;
    private final List<PathPattern> paths;
    private final Supplier<List<RequestMappingHandlerMapping>> mappings;
    private final ConcurrentMap<Method, Optional<ResponseCachePolicy>> byHandler = new ConcurrentHashMap<>();
    private volatile Boolean anyAnnotated;

    /**
     * @param base the configured policy
     * @param paths path patterns in {@link PathPattern} syntax whose requests use {@code base}
     * @param mappings the application's request mappings, looked up on first use
     * @throws IllegalArgumentException for a malformed pattern
     */
    public SpringResponseCachePolicies(
            ResponseCachePolicy base, List<String> paths, Supplier<List<RequestMappingHandlerMapping>> mappings) {
        this.base = Objects.requireNonNull(base, "base");
        this.mappings = Objects.requireNonNull(mappings, "mappings");
        List<PathPattern> parsed = new ArrayList<>();
        for (String path : paths) {
            try {
                parsed.add(PathPatternParser.defaultInstance.parse(path));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "Invalid cachekit.http.paths pattern '" + path + "': " + e.getMessage(), e);
            }
        }
        this.paths = List.copyOf(parsed);
    }

    @Override
    public ResponseCachePolicy select(HttpServletRequest request) {
        if (!base.methods().contains(request.getMethod().toUpperCase(Locale.ROOT))) {
            return null;
        }
        if (anyAnnotated()) {
            ResponseCachePolicy annotated = fromHandler(request);
            if (annotated != null) {
                return annotated;
            }
        }
        if (!paths.isEmpty()) {
            PathContainer path = PathContainer.parsePath(
                    request.getRequestURI().substring(request.getContextPath().length()));
            for (PathPattern pattern : paths) {
                if (pattern.matches(path)) {
                    return base;
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

    private ResponseCachePolicy fromHandler(HttpServletRequest request) {
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
                return byHandler
                        .computeIfAbsent(handler.getMethod(), m -> Optional.ofNullable(policyOf(handler)))
                        .orElse(null);
            }
        }
        return null;
    }

    private ResponseCachePolicy policyOf(HandlerMethod handler) {
        CachedResponse annotation = annotation(handler);
        if (annotation == null) {
            return null;
        }
        ResponseCachePolicy.Builder builder = base.toBuilder();
        try {
            if (!annotation.ttl().isEmpty()) {
                builder.ttl(CachekitConfig.parseTtl(annotation.ttl()));
            }
            if (annotation.varyHeaders().length > 0) {
                List<String> vary = new ArrayList<>(base.varyHeaders());
                vary.addAll(List.of(annotation.varyHeaders()));
                builder.varyHeaders(vary);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Invalid @CachedResponse on " + handler.getMethod() + ": " + e.getMessage(), e);
        }
        return builder.build();
    }

    private static CachedResponse annotation(HandlerMethod handler) {
        CachedResponse onMethod = AnnotatedElementUtils.findMergedAnnotation(handler.getMethod(), CachedResponse.class);
        return onMethod != null
                ? onMethod
                : AnnotatedElementUtils.findMergedAnnotation(handler.getBeanType(), CachedResponse.class);
    }

    /**
     * Checks every annotated handler's policy once the handler mappings exist, so that an invalid annotation
     * fails the startup.
     *
     * @throws IllegalArgumentException naming the method and the problem
     */
    @Override
    public void afterSingletonsInstantiated() {
        for (RequestMappingHandlerMapping mapping : mappings.get()) {
            for (HandlerMethod handler : mapping.getHandlerMethods().values()) {
                byHandler.computeIfAbsent(handler.getMethod(), m -> Optional.ofNullable(policyOf(handler)));
            }
        }
    }
}
