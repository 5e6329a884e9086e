package io.cachekit.postgres.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Every SQL statement the backend runs against its table, built once from a schema and table name that
 * have been checked against a strict identifier pattern and are then double-quoted. Nothing else a user
 * supplies ever becomes SQL text: keys, namespaces, values and TTLs are bound as parameters.
 *
 * <p>Immutable and thread-safe.
 */
public final class TableSql {
    /** Schema names: a lowercase letter or underscore, then lowercase letters, digits or underscores. */
    public static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /**
     * Table names: as schema names, at most 48 characters, so that the index name derived from it stays
     * within PostgreSQL's 63-byte identifier limit instead of being silently truncated.
     */
    public static final Pattern TABLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,47}");

    /** Expiry filter of every read: the database's own clock decides. */
    private static final String LIVE = "(expires_at IS NULL OR expires_at > now())";

    public final String schema;
    public final String table;
    /** {@code "schema"."table"}. */
    public final String qualifiedName;
    /** The expiry index name, unquoted. */
    public final String expiryIndexName;

    public final String get;
    public final String getMany;
    public final String upsertWithExpiry;
    public final String upsertWithoutExpiry;
    /** Inserts, or replaces an expired row only; returns a row when it wrote. */
    public final String insertIfAbsentWithExpiry;

    public final String insertIfAbsentWithoutExpiry;
    public final String delete;
    public final String clear;
    public final String tryPurgeLock;
    public final String purgeBatch;
    public final String ddlLock;
    public final String createTable;
    public final String createUnloggedTable;
    public final String createExpiryIndex;

    /** Advisory lock key that serializes purges of this table across every process using it. */
    public final long purgeLockKey;

    /** Advisory lock key that serializes creating this table, so concurrent starts do not collide. */
    public final long ddlLockKey;

    public TableSql(String schema, String table) {
        this.schema = checkSchema(schema);
        this.table = checkTable(table);
        this.qualifiedName = quote(schema) + "." + quote(table);
        this.expiryIndexName = table + "_expires_at_idx";
        String t = qualifiedName;

        get = "SELECT value FROM " + t + " WHERE namespace = ? AND key = ? AND " + LIVE;
        getMany = "SELECT key, value FROM " + t + " WHERE namespace = ? AND key = ANY(?) AND " + LIVE;
        // Two statements rather than a CASE on a nullable parameter: each keeps one stable plan.
        upsertWithExpiry = "INSERT INTO " + t + " (namespace, key, value, expires_at)"
                + " VALUES (?, ?, ?, now() + ? * interval '1 microsecond')"
                + " ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at";
        upsertWithoutExpiry = "INSERT INTO " + t + " (namespace, key, value, expires_at) VALUES (?, ?, ?, NULL)"
                + " ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, expires_at = NULL";
        String replaceExpiredOnly = " ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value,"
                + " expires_at = EXCLUDED.expires_at WHERE cur.expires_at IS NOT NULL AND cur.expires_at <= now()"
                + " RETURNING 1";
        insertIfAbsentWithExpiry = "INSERT INTO " + t + " AS cur (namespace, key, value, expires_at)"
                + " VALUES (?, ?, ?, now() + ? * interval '1 microsecond')" + replaceExpiredOnly;
        insertIfAbsentWithoutExpiry = "INSERT INTO " + t + " AS cur (namespace, key, value, expires_at)"
                + " VALUES (?, ?, ?, NULL)" + replaceExpiredOnly;
        delete = "DELETE FROM " + t + " WHERE namespace = ? AND key = ?";
        // The primary key (namespace, key) leads with namespace, so this is an index range delete.
        clear = "DELETE FROM " + t + " WHERE namespace = ?";
        tryPurgeLock = "SELECT pg_try_advisory_xact_lock(?)";
        // ctid = ANY(ARRAY(...)) gives a TID scan; SKIP LOCKED leaves rows that writers hold right now.
        purgeBatch = "DELETE FROM " + t + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + t
                + " WHERE expires_at < now() LIMIT ? FOR UPDATE SKIP LOCKED))";
        ddlLock = "SELECT pg_advisory_xact_lock(?)";
        String columns = " (namespace text NOT NULL, key bytea NOT NULL, value bytea NOT NULL,"
                + " expires_at timestamptz NULL, PRIMARY KEY (namespace, key))";
        createTable = "CREATE TABLE IF NOT EXISTS " + t + columns;
        createUnloggedTable = "CREATE UNLOGGED TABLE IF NOT EXISTS " + t + columns;
        createExpiryIndex = "CREATE INDEX IF NOT EXISTS " + quote(expiryIndexName) + " ON " + t + " (expires_at)";

        purgeLockKey = lockKey("cachekit:purge:" + schema + "." + table);
        ddlLockKey = lockKey("cachekit:ddl:" + schema + "." + table);
    }

    /**
     * Checks a schema name.
     *
     * @throws IllegalArgumentException naming the rule and the rejected value
     */
    public static String checkSchema(String schema) {
        return check("schema", schema, SCHEMA_NAME, 63);
    }

    /**
     * Checks a table name.
     *
     * @throws IllegalArgumentException naming the rule and the rejected value
     */
    public static String checkTable(String table) {
        return check("table", table, TABLE_NAME, 48);
    }

    private static String check(String what, String name, Pattern pattern, int maxLength) {
        Objects.requireNonNull(name, what);
        if (!pattern.matcher(name).matches()) {
            throw new IllegalArgumentException("PostgreSQL " + what + " name must be a lowercase identifier: a letter"
                    + " or '_', then letters, digits or '_', at most " + maxLength + " characters; got '" + name
                    + "'");
        }
        return name;
    }

    private static String quote(String identifier) {
        // Only ever called with names that matched the patterns above, which contain no quote.
        return '"' + identifier + '"';
    }

    private static long lockKey(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            long key = 0;
            for (int i = 0; i < 8; i++) {
                key = (key << 8) | (digest[i] & 0xFF);
            }
            return key;
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform is required to provide SHA-256.
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
