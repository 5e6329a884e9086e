package io.cachekit.postgres;

import io.cachekit.Cached;

/**
 * A service whose answers are worth caching, for the method-caching tests; public because Cachekit's proxy
 * calls through the interface's methods from another package.
 */
public interface PriceService {
    @Cached(ttl = "1h")
    int price(String item);
}
