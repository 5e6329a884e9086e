package io.cachekit.internal;

/** Identifies a load in flight: one per (stored namespace, key) in a process. */
record FlightKey(String namespace, String key) {}
