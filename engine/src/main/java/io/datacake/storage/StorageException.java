package io.datacake.storage;

/**
 * Base of every failure a {@link Storage} reports: an I/O or native error of the backing store, a storage that is
 * closed, or one that cannot be opened. Bad arguments are reported with {@link IllegalArgumentException} subclasses
 * instead ({@link InvalidKeyspaceNameException}, {@link ValueTooLargeException}).
 */
public class StorageException extends RuntimeException
{
    /**
     * @param message what failed and, where possible, what the user can do about it.
     */
    public StorageException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed and, where possible, what the user can do about it.
     * @param cause   the underlying error of the backing store.
     */
    public StorageException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
