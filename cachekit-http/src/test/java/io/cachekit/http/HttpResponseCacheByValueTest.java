package io.cachekit.http;

/**
 * Every test of {@link HttpResponseCacheTest} over an in-memory backend that stores by value, where records and
 * responses are kept in their binary form, as on every remote backend.
 */
class HttpResponseCacheByValueTest extends HttpResponseCacheTest {
    @Override
    String backendUri() {
        return "memory://?storeByValue=true";
    }
}
