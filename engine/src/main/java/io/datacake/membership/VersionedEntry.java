package io.datacake.membership;

import java.nio.charset.StandardCharsets;

/**
 * One key of a {@link NodeState}: its value, the version the owning node gave it, and, once deleted, when this node
 * learned of the deletion. Immutable once published into a node state except for the deletion time, which is local.
 */
final class VersionedEntry
{
    static final byte[] NO_VALUE = new byte[0];

    final String key;
    final byte[] keyUtf8;
    final byte[] value;
    final long version;
    final boolean tombstone;
    final long deletedAtMs;

    VersionedEntry(
        final String key,
        final byte[] keyUtf8,
        final byte[] value,
        final long version,
        final boolean tombstone,
        final long deletedAtMs)
    {
        this.key = key;
        this.keyUtf8 = keyUtf8;
        this.value = value;
        this.version = version;
        this.tombstone = tombstone;
        this.deletedAtMs = deletedAtMs;
    }

    static byte[] utf8(final String key)
    {
        return key.getBytes(StandardCharsets.UTF_8);
    }
}
