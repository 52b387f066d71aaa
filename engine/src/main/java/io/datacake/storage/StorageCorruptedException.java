package io.datacake.storage;

/**
 * A storage location holds data this implementation cannot use: a corrupt file, a file of another program, or a
 * format version this build does not know. Nothing is written to the location when this is thrown.
 */
public final class StorageCorruptedException extends StorageException
{
    /**
     * @param message which location is unusable and why.
     * @param cause   the underlying error, or {@code null}.
     */
    public StorageCorruptedException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
