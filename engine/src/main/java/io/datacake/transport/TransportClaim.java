package io.datacake.transport;

import org.agrona.MutableDirectBuffer;

/**
 * A region of a transport's send buffer claimed by {@link Transport#tryClaim}: encode the frame in place between
 * {@link #offset()} and {@code offset() + length()}, then {@link #commit()} to send it or {@link #abort()} to drop
 * it. Like Aeron's {@code BufferClaim}: one object, created by {@link Transport#newClaim()}, reused for every send
 * by the owning thread.
 */
public interface TransportClaim
{
    /**
     * The buffer to encode into; valid only between a successful claim and commit/abort.
     *
     * @return the claimed buffer.
     */
    MutableDirectBuffer buffer();

    /**
     * Where the claimed region starts in {@link #buffer()}.
     *
     * @return the offset in bytes.
     */
    int offset();

    /**
     * Length of the claimed region, equal to the length passed to {@link Transport#tryClaim}.
     *
     * @return the length in bytes.
     */
    int length();

    /**
     * Send the encoded frame and unwrap the claim.
     *
     * @throws IllegalStateException if there is no outstanding claim.
     */
    void commit();

    /**
     * Drop the claimed region without sending it and unwrap the claim.
     *
     * @throws IllegalStateException if there is no outstanding claim.
     */
    void abort();
}
