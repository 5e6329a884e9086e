package io.cachekit.internal;

/** A loader that may throw anything, checked exceptions included, which are passed on unchanged. */
@FunctionalInterface
public interface ThrowingSupplier<T> {
    T get() throws Throwable;
}
