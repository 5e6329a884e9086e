package io.cachekit.internal;

/**
 * The tags of an entry with the version each had when the entry was written (read before its value was
 * computed). The entry is valid while every tag still has that version. The arrays are never changed after
 * construction.
 *
 * @param tags distinct tags, 1 to {@link io.cachekit.Tags#MAX_TAGS}
 * @param versions {@code versions[i]} is the version of {@code tags[i]}
 */
record TagStamp(String[] tags, long[] versions) {}
