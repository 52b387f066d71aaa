package io.datacake.membership;

/**
 * A buffer does not hold a valid gossip frame. Thrown by {@link GossipDecoder#wrap} before anything is applied, so a
 * rejected frame never changes a {@link ClusterState}; the caller drops the frame and counts it by {@link #reason()}.
 */
public final class MalformedGossipException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * Why a frame was rejected, for counting drops by cause.
     */
    public enum Reason
    {
        /** The frame ends before a field or record it announces. */
        TRUNCATED,
        /** The frame does not start with the gossip magic number. */
        BAD_MAGIC,
        /** The frame's encoding version is not one this build reads. */
        UNSUPPORTED_VERSION,
        /** The message type code is unknown. */
        UNKNOWN_TYPE,
        /** A record count is negative or above its bound. */
        BAD_COUNT,
        /** The same node id appears twice in a digest or a delta. */
        DUPLICATE_NODE,
        /** A generation, heartbeat or version field is negative. */
        NEGATIVE_FIELD,
        /** Entry versions of a node are not strictly increasing above the delta's starting version. */
        BAD_ENTRY_VERSION,
        /** Unknown entry flag bits are set. */
        BAD_FLAGS,
        /** A key is empty, too long, or not valid UTF-8. */
        BAD_KEY,
        /** A value is too long, or a tombstone carries a value. */
        BAD_VALUE,
        /** Bytes follow the last record. */
        TRAILING_BYTES,
        /** A varint is longer than its bound or not in its shortest form. */
        BAD_VARINT,
        /** Digest rows are not in increasing node id order within the digest's range, or the range is empty. */
        BAD_NODE_ORDER
    }

    private final Reason reason;

    /**
     * @param reason  the cause, for counting.
     * @param message what is wrong and where.
     */
    public MalformedGossipException(final Reason reason, final String message)
    {
        super(reason + ": " + message);
        this.reason = reason;
    }

    /**
     * @return the cause of the rejection.
     */
    public Reason reason()
    {
        return reason;
    }
}
