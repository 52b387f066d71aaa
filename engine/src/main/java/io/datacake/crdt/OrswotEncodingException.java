package io.datacake.crdt;

/**
 * A buffer does not hold a valid ORSWOT encoding (wrong magic or version, truncated, inconsistent counts, values out
 * of range, or the same key twice). The set being decoded into is left empty, never half filled.
 */
public final class OrswotEncodingException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong with the encoding.
     */
    public OrswotEncodingException(final String message)
    {
        super(message);
    }
}
