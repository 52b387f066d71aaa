package io.datacake.store;

/**
 * A write did not get the acknowledgements its consistency level asks for: a selected replica timed out, could not
 * be reached, or failed to store the write, or the local commit failed.
 * <p>
 * The write is not undone. It is applied on this node (unless the local commit itself failed) and may have landed
 * on some replicas; anti-entropy repair carries it to the others later. A failed write is therefore "not known to
 * be at the level asked", not "not written", as with Cassandra's write timeouts: retrying it is safe, since a
 * replayed write of the same key converges by last write wins.
 */
public final class ReplicationException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int acknowledged;
    private final int required;

    /**
     * @param acknowledged acknowledgements received, the local commit counted as one.
     * @param required     acknowledgements the level asks for, the local commit counted as one.
     * @param message      what failed.
     */
    public ReplicationException(final int acknowledged, final int required, final String message)
    {
        super(message);
        this.acknowledged = acknowledged;
        this.required = required;
    }

    /**
     * @return acknowledgements received before the write failed, the local commit counted as one.
     */
    public int acknowledged()
    {
        return acknowledged;
    }

    /**
     * @return acknowledgements the consistency level asks for, the local commit counted as one.
     */
    public int required()
    {
        return required;
    }
}
