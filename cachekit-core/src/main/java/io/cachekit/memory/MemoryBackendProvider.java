package io.cachekit.memory;

import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.spi.CacheBackendProvider;
import io.cachekit.spi.UriOptions;
import java.net.URI;
import java.util.Set;

/** Creates {@link MemoryBackend}s for {@code memory://} URIs. Stateless and thread-safe. */
public final class MemoryBackendProvider implements CacheBackendProvider {

    @Override
    public Set<String> schemes() {
        return Set.of("memory");
    }

    @Override
    public Set<String> options() {
        return MemoryBackendOptions.URI_OPTIONS;
    }

    @Override
    public CacheBackend create(URI uri, BackendContext context) {
        String path = uri.getRawPath();
        if (uri.getHost() != null || (path != null && !path.isEmpty() && !path.equals("/"))) {
            throw new IllegalArgumentException(
                    "memory:// takes no host or path, only options: memory://?maxSize=10000");
        }
        return new MemoryBackend(MemoryBackendOptions.fromUri(UriOptions.parse(uri, options())), context);
    }
}
