package io.datacake.transport.aeron;


/**
 * Tuning of one {@link AeronTransport}: every bound on its work is here, named, with its default.
 * <p>
 * Not thread safe: configure, then pass to {@link AeronTransport#create}.
 */
public final class AeronTransportSettings
{
    /**
     * Default bound on immediate retries of an {@code offer}/{@code tryClaim} that Aeron answered with back-pressure
     * or an admin action (a term rotation). After that many the caller gets
     * {@link io.datacake.transport.Transport#BACK_PRESSURED} and decides (the node thread never spins longer).
     */
    public static final int DEFAULT_SEND_RETRY_LIMIT = 8;

    /**
     * Default interval between scans of the resolved peers' connectivity for the peer status listener: 5 ms. A scan
     * also runs whenever an image came or went.
     */
    public static final long DEFAULT_PEER_STATUS_CHECK_INTERVAL_MS = 5;

    /** Default bound on the number of peers one transport resolves at the same time. */
    public static final int DEFAULT_MAX_PEERS = 1024;

    /** Default bound on queued image-gone notifications between the client conductor and the polling thread. */
    public static final int DEFAULT_IMAGE_EVENT_QUEUE_CAPACITY = 1024;

    private int sendRetryLimit = DEFAULT_SEND_RETRY_LIMIT;
    private long peerStatusCheckIntervalMs = DEFAULT_PEER_STATUS_CHECK_INTERVAL_MS;
    private int maxPeers = DEFAULT_MAX_PEERS;
    private int imageEventQueueCapacity = DEFAULT_IMAGE_EVENT_QUEUE_CAPACITY;
    private int termBufferLength = AeronDriverSettings.DEFAULT_TERM_BUFFER_LENGTH;

    /**
     * Bound on immediate retries of a back-pressured or admin-action send before the result is returned.
     *
     * @param sendRetryLimit 0 (no retry) or more.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if negative.
     */
    public AeronTransportSettings sendRetryLimit(final int sendRetryLimit)
    {
        if (sendRetryLimit < 0)
        {
            throw new IllegalArgumentException("sendRetryLimit must not be negative: " + sendRetryLimit);
        }
        this.sendRetryLimit = sendRetryLimit;
        return this;
    }

    /**
     * Bound on immediate retries of a back-pressured or admin-action send.
     *
     * @return the retry limit.
     */
    public int sendRetryLimit()
    {
        return sendRetryLimit;
    }

    /**
     * Interval between scans of resolved peers' connectivity.
     *
     * @param peerStatusCheckIntervalMs a positive number of milliseconds.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if not positive.
     */
    public AeronTransportSettings peerStatusCheckIntervalMs(final long peerStatusCheckIntervalMs)
    {
        if (peerStatusCheckIntervalMs <= 0)
        {
            throw new IllegalArgumentException(
                "peerStatusCheckIntervalMs must be positive: " + peerStatusCheckIntervalMs);
        }
        this.peerStatusCheckIntervalMs = peerStatusCheckIntervalMs;
        return this;
    }

    /**
     * Interval between scans of resolved peers' connectivity.
     *
     * @return the interval in milliseconds.
     */
    public long peerStatusCheckIntervalMs()
    {
        return peerStatusCheckIntervalMs;
    }

    /**
     * Bound on the number of peers resolved at the same time (each holds an exclusive publication).
     *
     * @param maxPeers 1 or more.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if less than 1.
     */
    public AeronTransportSettings maxPeers(final int maxPeers)
    {
        if (maxPeers < 1)
        {
            throw new IllegalArgumentException("maxPeers must be at least 1: " + maxPeers);
        }
        this.maxPeers = maxPeers;
        return this;
    }

    /**
     * Bound on the number of peers resolved at the same time.
     *
     * @return the peer limit.
     */
    public int maxPeers()
    {
        return maxPeers;
    }

    /**
     * Bound on queued image-gone notifications; beyond it a notification is dropped and its reassembly buffer is
     * kept until the transport closes (counted).
     *
     * @param imageEventQueueCapacity 2 or more.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if less than 2.
     */
    public AeronTransportSettings imageEventQueueCapacity(final int imageEventQueueCapacity)
    {
        if (imageEventQueueCapacity < 2)
        {
            throw new IllegalArgumentException("imageEventQueueCapacity must be at least 2: " + imageEventQueueCapacity);
        }
        this.imageEventQueueCapacity = imageEventQueueCapacity;
        return this;
    }

    /**
     * Bound on queued image-gone notifications.
     *
     * @return the queue capacity.
     */
    public int imageEventQueueCapacity()
    {
        return imageEventQueueCapacity;
    }

    /**
     * Term buffer length of the publications this transport creates (put in their channel URI, so it holds with an
     * external driver too). It fixes the largest frame: {@code min(termBufferLength / 8, 16 MiB)}.
     *
     * @param termBufferLength a power of two between 64 KiB and 1 GiB.
     * @return this for a fluent API.
     * @throws IllegalArgumentException if not a power of two in range.
     */
    public AeronTransportSettings termBufferLength(final int termBufferLength)
    {
        this.termBufferLength = AeronDriverSettings.checkTermBufferLength(termBufferLength);
        return this;
    }

    /**
     * Term buffer length of the publications this transport creates.
     *
     * @return the term length in bytes.
     */
    public int termBufferLength()
    {
        return termBufferLength;
    }
}
