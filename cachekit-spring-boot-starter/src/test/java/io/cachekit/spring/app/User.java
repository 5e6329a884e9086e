package io.cachekit.spring.app;

/** A value the tests cache; a record, so JSON round trips must produce a record again. */
public record User(long id, String name) {}
