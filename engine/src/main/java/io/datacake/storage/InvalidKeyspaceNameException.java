package io.datacake.storage;

/**
 * A keyspace name is empty or longer than {@link Storage#MAX_KEYSPACE_NAME_BYTES} bytes in UTF-8, or contains an
 * unpaired surrogate (so it has no UTF-8 form).
 */
public final class InvalidKeyspaceNameException extends IllegalArgumentException
{
    /**
     * @param message why the name was rejected.
     */
    public InvalidKeyspaceNameException(final String message)
    {
        super(message);
    }
}
