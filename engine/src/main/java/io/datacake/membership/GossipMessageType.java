package io.datacake.membership;

/**
 * The three messages of one scuttlebutt exchange.
 */
public enum GossipMessageType
{
    /** Opens an exchange: carries the sender's digest. */
    SYN(1),
    /** Answers a SYN: carries the receiver's digest and the delta the SYN's sender lacks. */
    SYN_ACK(2),
    /** Closes an exchange: carries the delta the SYN_ACK's sender lacks. */
    ACK(3);

    private final int code;

    GossipMessageType(final int code)
    {
        this.code = code;
    }

    /**
     * @return the code written on the wire.
     */
    public int code()
    {
        return code;
    }

    /**
     * @return true if this message carries a digest.
     */
    public boolean hasDigest()
    {
        return this != ACK;
    }

    /**
     * @return true if this message carries a delta.
     */
    public boolean hasDelta()
    {
        return this != SYN;
    }

    static GossipMessageType fromCode(final int code)
    {
        switch (code)
        {
            case 1:
                return SYN;
            case 2:
                return SYN_ACK;
            case 3:
                return ACK;
            default:
                return null;
        }
    }
}
