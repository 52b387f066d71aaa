package io.datacake.rpc;

/**
 * A failed RPC, given to the caller: the {@link #error()} says what kind of failure, the message says what
 * happened (for {@link RpcError#HANDLER_FAILURE} it is the remote handler's own message).
 */
public final class RpcException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** The kind of failure. */
    private final RpcError error;

    /**
     * Create the exception.
     *
     * @param error   the kind of failure.
     * @param message what happened.
     */
    public RpcException(final RpcError error, final String message)
    {
        super(error + ": " + message);
        this.error = error;
    }

    /**
     * The kind of failure.
     *
     * @return the error.
     */
    public RpcError error()
    {
        return error;
    }

    /**
     * The message without the error prefix (for a handler failure, exactly what the handler reported).
     *
     * @return the detail message.
     */
    public String detail()
    {
        final String message = getMessage();
        final String prefix = error + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }
}
