package io.cachekit.spring.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A request whose attribute changes stay in the wrapper: reads see the wrapper's changes over the request's
 * attributes, writes and removals never reach the request. Lets a handler lookup run before the dispatcher
 * without leaving attributes behind. Used by one thread; not API.
 */
final class AttributeIsolatingRequest extends HttpServletRequestWrapper {
    private static final Object REMOVED = new Object();
    private final Map<String, Object> overlay = new HashMap<>();

    AttributeIsolatingRequest(HttpServletRequest request) {
        super(request);
    }

    @Override
    public Object getAttribute(String name) {
        Object value = overlay.get(name);
        if (value == REMOVED) {
            return null;
        }
        return value != null ? value : super.getAttribute(name);
    }

    @Override
    public Enumeration<String> getAttributeNames() {
        Set<String> names = new LinkedHashSet<>(Collections.list(super.getAttributeNames()));
        overlay.forEach((name, value) -> {
            if (value == REMOVED) {
                names.remove(name);
            } else {
                names.add(name);
            }
        });
        return Collections.enumeration(names);
    }

    @Override
    public void setAttribute(String name, Object value) {
        overlay.put(name, value == null ? REMOVED : value);
    }

    @Override
    public void removeAttribute(String name) {
        overlay.put(name, REMOVED);
    }
}
