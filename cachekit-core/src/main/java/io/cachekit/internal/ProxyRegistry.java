package io.cachekit.internal;

import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The targets of the unnamed proxies made on one runtime, by namespace, interface and target class (when its
 * name is stable), so that a second proxy whose entries nothing would tell apart from the first's is refused
 * instead of silently sharing them. Targets are held weakly: a proxy whose target is gone can be made again.
 * Thread-safe.
 */
final class ProxyRegistry {
    private final ConcurrentMap<String, WeakReference<Object>> targets = new ConcurrentHashMap<>();

    /**
     * Records {@code target} as the one unnamed proxy of {@code type} in {@code namespace}.
     *
     * @param stableClass the target's class name when stable across JVMs, else null
     * @throws IllegalStateException when another live target holds that place
     */
    void register(String namespace, Class<?> type, Object target, String stableClass) {
        String id = namespace + "|" + type.getName() + "|" + (stableClass == null ? "" : stableClass);
        targets.compute(id, (k, old) -> {
            Object existing = old == null ? null : old.get();
            if (existing == target) {
                return old;
            }
            if (existing != null) {
                String why = stableClass != null
                        ? "both targets are " + stableClass
                        : "the class of the target, " + target.getClass().getName()
                                + ", has no name that is stable across JVMs";
                throw new IllegalStateException("A proxy of " + type.getName() + " over another target already"
                        + " exists in namespace '" + namespace + "', and nothing tells their entries apart (" + why
                        + "). Name each proxy: cache.proxy(" + type.getSimpleName() + ".class, target, \"name\")");
            }
            return new WeakReference<>(target);
        });
    }
}
