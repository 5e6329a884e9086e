package io.cachekit.internal;

import java.lang.reflect.Type;

/**
 * Identifies a load in flight: one per (stored namespace, key, type) in a process, so that callers asking for
 * one key as two different types never share a load, and so never receive a value of the other's type.
 */
record FlightKey(String namespace, String key, Type type) {}
