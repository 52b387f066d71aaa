package io.datacake.storage;

import java.nio.charset.StandardCharsets;

/**
 * Validation and encoding of keyspace names, shared by every {@link Storage}. A valid name is 1 to
 * {@link Storage#MAX_KEYSPACE_NAME_BYTES} bytes long in UTF-8 and has no unpaired surrogate; any other character
 * is allowed. Validation allocates nothing, so it can run on every write.
 */
public final class KeyspaceNames
{
    private static final String ALLOWED = " (a keyspace name is 1 to " + Storage.MAX_KEYSPACE_NAME_BYTES +
        " bytes of UTF-8, any characters)";

    private KeyspaceNames()
    {
    }

    /**
     * Check a keyspace name.
     *
     * @param name the keyspace name.
     * @return its length in UTF-8 bytes.
     * @throws InvalidKeyspaceNameException if it is null, empty, too long or not encodable.
     */
    public static int validate(final String name)
    {
        // Every message ends with what a valid name is, so the caller can fix the name from the message alone.
        if (null == name)
        {
            throw new InvalidKeyspaceNameException("keyspace name must not be null" + ALLOWED);
        }
        final int chars = name.length();
        if (0 == chars)
        {
            throw new InvalidKeyspaceNameException("keyspace name must not be empty" + ALLOWED);
        }

        int bytes = 0;
        for (int i = 0; i < chars; i++)
        {
            final char c = name.charAt(i);
            if (c < 0x80)
            {
                bytes += 1;
            }
            else if (c < 0x800)
            {
                bytes += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < chars && Character.isLowSurrogate(name.charAt(i + 1)))
            {
                bytes += 4;
                i++;
            }
            else if (Character.isSurrogate(c))
            {
                throw new InvalidKeyspaceNameException(
                    "keyspace name has an unpaired surrogate at index " + i + ", so it has no UTF-8 form" + ALLOWED);
            }
            else
            {
                bytes += 3;
            }

            if (bytes > Storage.MAX_KEYSPACE_NAME_BYTES)
            {
                throw new InvalidKeyspaceNameException(
                    "keyspace name is longer than " + Storage.MAX_KEYSPACE_NAME_BYTES + " UTF-8 bytes: '" +
                    name.substring(0, Math.min(chars, 40)) + "...'" + ALLOWED);
            }
        }

        return bytes;
    }

    /**
     * Validate and encode a name (keyspace creation and the cold path only: this allocates).
     *
     * @param name the keyspace name.
     * @return its UTF-8 bytes.
     * @throws InvalidKeyspaceNameException if the name is invalid.
     */
    public static byte[] encode(final String name)
    {
        validate(name);
        return name.getBytes(StandardCharsets.UTF_8);
    }
}
