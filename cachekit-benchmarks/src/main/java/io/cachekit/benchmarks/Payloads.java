package io.cachekit.benchmarks;

import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The values of the remote rows and how the raw sides encode them: the ~1 KB {@link UserRecord} as JSON, and a
 * 100-character string as UTF-8. The raw sides encode with a Jackson mapper configured as Cachekit's default JSON
 * codec (and with an {@link ObjectReader}/{@link ObjectWriter} made once, as a careful application does), so both
 * sides send the same payload bytes; {@link #checkSameBytes()} proves it at the start of every fork. Cachekit adds
 * its 12-byte envelope header in front.
 */
public final class Payloads {
    /** The record every remote row reads and writes. */
    public static final UserRecord RECORD = UserRecord.sample();

    /** The string of the string rows. */
    public static final String STRING = "v".repeat(100);

    /** The string's bytes, as Cachekit stores them. */
    public static final byte[] STRING_BYTES = STRING.getBytes(StandardCharsets.UTF_8);

    /** A mapper configured as Cachekit's default JSON codec. */
    public static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static final ObjectWriter WRITER = MAPPER.writerFor(UserRecord.class);
    private static final ObjectReader READER = MAPPER.readerFor(UserRecord.class);

    /** The record's JSON, as both sides send it. */
    public static final byte[] RECORD_BYTES = encode(RECORD);

    /** Cachekit's envelope header in front of every stored value. */
    public static final int ENVELOPE_HEADER = 12;

    private Payloads() {}

    /** JSON of a record, as the raw sides write it on every set. */
    public static byte[] encode(UserRecord record) {
        return WRITER.writeValueAsBytes(record);
    }

    /** A record from JSON, as the raw sides read it on every get; null stays null. */
    public static UserRecord decode(byte[] bytes) {
        return bytes == null ? null : READER.readValue(bytes);
    }

    /** A string from UTF-8, as the raw sides read it on every get; null stays null. */
    public static String decodeString(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Fails unless Cachekit, configured by default, stores the record and the string as the raw sides' bytes
     * behind its envelope header, and unless the record is about 1 KB.
     */
    public static void checkSameBytes() {
        if (RECORD_BYTES.length < 900 || RECORD_BYTES.length > 1200) {
            throw new IllegalStateException("The record is " + RECORD_BYTES.length + " bytes of JSON, not about 1 KB");
        }
        NoopBackend capture = new NoopBackend(new byte[0]);
        try (Cache cache = Cachekit.create(CachekitConfig.builder().build(), capture)) {
            cache.set("k", RECORD, Duration.ofMinutes(10));
            expectPayload(capture.lastWritten(), RECORD_BYTES, "the record");
            cache.set("k", STRING, Duration.ofMinutes(10));
            expectPayload(capture.lastWritten(), STRING_BYTES, "the string");
        }
        if (!RECORD.equals(decode(RECORD_BYTES))) {
            throw new IllegalStateException("The record does not survive its JSON");
        }
    }

    private static void expectPayload(byte[] stored, byte[] raw, String what) {
        if (stored == null
                || stored.length != ENVELOPE_HEADER + raw.length
                || !Arrays.equals(Arrays.copyOfRange(stored, ENVELOPE_HEADER, stored.length), raw)) {
            throw new IllegalStateException("Cachekit does not store " + what + " as the raw side's bytes");
        }
    }
}
