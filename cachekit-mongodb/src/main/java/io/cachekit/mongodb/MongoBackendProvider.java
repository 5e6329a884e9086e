package io.cachekit.mongodb;

import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.spi.CacheBackendProvider;
import io.cachekit.spi.Redaction;
import io.cachekit.spi.UriOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Creates a {@link MongoBackend} from a MongoDB connection string, scheme {@code mongodb} or {@code
 * mongodb+srv}:
 *
 * <pre>{@code
 * mongodb://user:password@db1:27017,db2:27017/app?replicaSet=rs0&w=majority&collection=cachekit_entries
 * mongodb+srv://user:password@cluster0.example.net/app?readPreference=primaryPreferred
 * }</pre>
 *
 * <p>The URI is the driver's connection string: hosts, credentials, the path's database (also the default
 * {@code authSource}), and the driver's options ({@code w}, {@code journal}, {@code wtimeoutMS}, {@code
 * readPreference}, {@code replicaSet}, {@code tls}, {@code maxPoolSize}, ...; case-insensitive, as the driver
 * reads them) go to the driver unchanged. Cachekit's own options are {@code database} (overrides the path),
 * {@code collection} and {@code createIndexes}; see {@link MongoBackendOptions}. {@code timeoutMS} is refused:
 * the operation timeout is Cachekit's {@code timeout}. Any other option fails with an {@link
 * IllegalArgumentException} that lists the valid ones.
 *
 * <p>Stateless and thread-safe; found by {@link java.util.ServiceLoader}. Messages never contain credentials.
 */
public final class MongoBackendProvider implements CacheBackendProvider {
    /** The backend's own options. */
    static final Set<String> OWN_OPTIONS = Set.of("database", "collection", "createIndexes");

    /** The connection string options of the MongoDB Java driver 5.x, passed to it as they are. */
    static final List<String> DRIVER_OPTIONS = List.of(
            "appName",
            "authMechanism",
            "authMechanismProperties",
            "authSource",
            "compressors",
            "connectTimeoutMS",
            "directConnection",
            "gssapiServiceName",
            "heartbeatFrequencyMS",
            "journal",
            "loadBalanced",
            "localThresholdMS",
            "maxConnecting",
            "maxIdleTimeMS",
            "maxLifeTimeMS",
            "maxPoolSize",
            "maxStalenessSeconds",
            "minPoolSize",
            "proxyHost",
            "proxyPassword",
            "proxyPort",
            "proxyUsername",
            "readConcernLevel",
            "readPreference",
            "readPreferenceTags",
            "replicaSet",
            "retryReads",
            "retryWrites",
            "safe",
            "serverMonitoringMode",
            "serverSelectionTimeoutMS",
            "socketTimeoutMS",
            "srvMaxHosts",
            "srvServiceName",
            "ssl",
            "sslInvalidHostNameAllowed",
            "tls",
            "tlsAllowInvalidHostnames",
            "tlsInsecure",
            "uuidRepresentation",
            "w",
            "waitQueueTimeoutMS",
            "wTimeoutMS",
            "zlibCompressionLevel");

    private static final Set<String> DRIVER_OPTIONS_LOWER_CASE;
    private static final Set<String> ALL_OPTIONS;

    static {
        Set<String> lower = new LinkedHashSet<>();
        DRIVER_OPTIONS.forEach(o -> lower.add(o.toLowerCase(Locale.ROOT)));
        lower.add("wtimeout");
        lower.add("j");
        DRIVER_OPTIONS_LOWER_CASE = Collections.unmodifiableSet(lower);
        Set<String> all = new TreeSet<>(OWN_OPTIONS);
        all.addAll(DRIVER_OPTIONS);
        ALL_OPTIONS = Collections.unmodifiableSet(all);
    }

    /** Used by {@link java.util.ServiceLoader}. */
    public MongoBackendProvider() {}

    @Override
    public String name() {
        return "mongodb";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("mongodb", "mongodb+srv");
    }

    /** Cachekit's options and the driver's connection string options. */
    @Override
    public Set<String> options() {
        return ALL_OPTIONS;
    }

    @Override
    public CacheBackend create(URI uri, BackendContext context) {
        return MongoBackend.create(toOptions(uri), context);
    }

    /**
     * Reads a backend URI into options, without connecting.
     *
     * @throws IllegalArgumentException for another scheme, an unknown option or a bad value; the message shows
     *     the URI without its credentials
     */
    public static MongoBackendOptions toOptions(URI uri) {
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        String raw = uri.toString();
        int q = raw.indexOf('?');
        String base = q < 0 ? raw : raw.substring(0, q);
        if (scheme == null || !(scheme.equals("mongodb") || scheme.equals("mongodb+srv"))) {
            throw new IllegalArgumentException(
                    "Not a MongoDB URI (mongodb:// or mongodb+srv://): " + Redaction.redactUri(base));
        }
        Map<String, String> own = new LinkedHashMap<>();
        List<String> driverPairs = new ArrayList<>();
        Set<String> driverNames = new HashSet<>();
        String rawQuery = uri.getRawQuery();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                if (OWN_OPTIONS.contains(name)) {
                    String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    if (own.put(name, value) != null) {
                        throw new IllegalArgumentException("Option '" + name + "' is given twice");
                    }
                } else if (name.equalsIgnoreCase("timeoutMS")) {
                    throw new IllegalArgumentException("Option 'timeoutMS' of " + scheme + ":// is not used: the"
                            + " operation timeout is Cachekit's own 'timeout' option (e.g. timeout=500ms)");
                } else if (DRIVER_OPTIONS_LOWER_CASE.contains(name.toLowerCase(Locale.ROOT))) {
                    String lower = name.toLowerCase(Locale.ROOT);
                    // readPreferenceTags may repeat: each is one tag set, tried in order.
                    if (!driverNames.add(lower) && !lower.equals("readpreferencetags")) {
                        throw new IllegalArgumentException("Option '" + name + "' is given twice");
                    }
                    driverPairs.add(pair);
                } else {
                    throw new IllegalArgumentException("Unknown option '" + name + "' for " + scheme
                            + "://; valid options: " + String.join(", ", ALL_OPTIONS));
                }
            }
        }
        String connectionString = base;
        if (!driverPairs.isEmpty()) {
            // The driver wants a '/' before the options: mongodb://host/?w=1.
            boolean hasPath = base.indexOf('/', base.indexOf("://") + 3) >= 0;
            connectionString = base + (hasPath ? "" : "/") + "?" + String.join("&", driverPairs);
        }
        UriOptions ownOptions = UriOptions.parse(withOnly(uri, own), OWN_OPTIONS);
        MongoBackendOptions.Builder builder = MongoBackendOptions.builder()
                .connectionString(connectionString)
                .collection(ownOptions.getString("collection", MongoBackendOptions.DEFAULT_COLLECTION))
                .createIndexes(ownOptions.getBoolean("createIndexes", true));
        String database = ownOptions.get("database");
        if (database != null) {
            builder.database(database);
        }
        return builder.build();
    }

    /** A URI carrying only {@code options}, for {@link UriOptions}' typed accessors and messages. */
    private static URI withOnly(URI uri, Map<String, String> options) {
        StringBuilder query = new StringBuilder();
        options.forEach((name, value) -> {
            if (query.length() > 0) {
                query.append('&');
            }
            query.append(encode(name)).append('=').append(encode(value));
        });
        return URI.create(uri.getScheme() + ":///" + (query.length() == 0 ? "" : "?" + query));
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
