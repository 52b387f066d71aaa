package io.datacake.storage;

/**
 * A document value is longer than the storage's configured maximum ({@link Storage#maxValueLength()}).
 */
public final class ValueTooLargeException extends IllegalArgumentException
{
    private final long key;
    private final int length;
    private final int maxLength;

    /**
     * @param keyspace  keyspace of the rejected document.
     * @param key       key of the rejected document.
     * @param length    length of the rejected value in bytes.
     * @param maxLength the configured maximum in bytes.
     */
    public ValueTooLargeException(final String keyspace, final long key, final int length, final int maxLength)
    {
        super("value of key " + key + " in keyspace '" + keyspace + "' is " + length +
            " bytes, over the configured maximum of " + maxLength +
            " bytes: split the document or raise maxValueLength when opening the storage");
        this.key = key;
        this.length = length;
        this.maxLength = maxLength;
    }

    /**
     * @return key of the rejected document.
     */
    public long key()
    {
        return key;
    }

    /**
     * @return length of the rejected value in bytes.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return the configured maximum value length in bytes.
     */
    public int maxLength()
    {
        return maxLength;
    }
}
