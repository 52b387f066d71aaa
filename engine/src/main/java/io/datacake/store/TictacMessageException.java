package io.datacake.store;

/**
 * A buffer does not hold a valid Tictac exchange message, or holds one that does not fit the exchange at hand. The
 * {@link Reason} says which check failed so a node can count dropped messages by reason; the message that raised it
 * changed nothing (no flyweight was rewrapped, no exchange advanced, no reply was written).
 */
public final class TictacMessageException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * Why a message was rejected.
     */
    public enum Reason
    {
        /** Shorter than its header, or its length does not match its item count. */
        BAD_LENGTH,
        /** Written by an encoding version this build does not read. */
        UNSUPPORTED_VERSION,
        /** Unknown message type. */
        UNKNOWN_TYPE,
        /** A reserved header field is not zero. */
        RESERVED_NOT_ZERO,
        /** The tree shape in the header is not a valid shape. */
        BAD_SHAPE,
        /** The tree shape in the header differs from the local tree's. */
        SHAPE_MISMATCH,
        /** The item count is outside the bounds of the message type. */
        BAD_COUNT,
        /** The run of branches or segments lies outside the tree. */
        BAD_RANGE,
        /** Segment ids are not strictly ascending. */
        UNSORTED_SEGMENT_IDS,
        /** A valid message of a type, or for a run, that the receiver did not ask for. */
        UNEXPECTED
    }

    /** Which check failed. */
    private final Reason reason;

    /**
     * @param reason  which check failed.
     * @param message what is wrong, with the offending values.
     */
    public TictacMessageException(final Reason reason, final String message)
    {
        super(reason + ": " + message);
        this.reason = reason;
    }

    /**
     * @return which check failed.
     */
    public Reason reason()
    {
        return reason;
    }
}
