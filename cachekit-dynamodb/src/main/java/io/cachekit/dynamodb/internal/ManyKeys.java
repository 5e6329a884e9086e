package io.cachekit.dynamodb.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The keys of a bulk read: each key's partition key and the generation items they depend on.
 *
 * <p>Not API; immutable once made, thread-safe. Arguments are never null.
 */
public final class ManyKeys {
    private final String namespace;
    private final Map<String, String> keyByPk;
    private final Set<String> generationKeys;

    private ManyKeys(String namespace, Map<String, String> keyByPk, Set<String> generationKeys) {
        this.namespace = namespace;
        this.keyByPk = keyByPk;
        this.generationKeys = generationKeys;
    }

    /** The keys {@code keys} of {@code namespace}. */
    public static ManyKeys of(String namespace, Collection<String> keys) {
        Map<String, String> keyByPk = new LinkedHashMap<>(keys.size() * 2);
        for (String key : keys) {
            keyByPk.put(ItemLayout.entryKey(namespace, key), key);
        }
        return new ManyKeys(namespace, keyByPk, generationKeys(namespace, keyByPk.keySet()));
    }

    /** The generation items that the entries under {@code pks} depend on, each once, in their order. */
    public static Set<String> generationKeys(String namespace, Collection<String> pks) {
        Set<String> gks = new LinkedHashSet<>();
        for (String pk : pks) {
            gks.add(ItemLayout.generationKeyOf(namespace, pk));
        }
        return gks;
    }

    /**
     * Every partition key to read: the generation items first, so a bulk read of up to 100 - 8 keys is one
     * request.
     */
    public List<String> all() {
        List<String> all = new ArrayList<>(generationKeys.size() + keyByPk.size());
        all.addAll(generationKeys);
        all.addAll(keyByPk.keySet());
        return all;
    }

    /**
     * The live values among {@code items}, by key; the generations read are learned into {@code generations},
     * and expiry is judged on {@code clock} after that.
     *
     * @param items the items read by {@link #all()}, by partition key
     * @param askedAtNanos the {@link System#nanoTime()} at which the first request of that read was sent
     * @return a new mutable map, without the keys that are absent, expired or of an older generation
     */
    public Map<String, byte[]> liveValues(
            Map<String, Map<String, AttributeValue>> items, long askedAtNanos, Generations generations, Clock clock) {
        Map<String, Long> generationByKey = new HashMap<>();
        for (String gk : generationKeys) {
            generationByKey.put(gk, generations.learnFrom(gk, items, askedAtNanos));
        }
        long now = clock.millis();
        Map<String, byte[]> found = new HashMap<>();
        keyByPk.forEach((pk, key) -> {
            long generation = generationByKey.get(ItemLayout.generationKeyOf(namespace, pk));
            byte[] value = ItemLayout.liveValue(items.get(pk), generation, now);
            if (value != null) {
                found.put(key, value);
            }
        });
        return found;
    }
}
