package io.datacake.transport;

import org.agrona.DirectBuffer;

/**
 * Receives incoming frames from {@link Transport#poll}. The bytes are only valid during the call: decode in place,
 * copy what must outlive it.
 */
@FunctionalInterface
public interface FrameHandler
{
    /**
     * One whole frame.
     *
     * @param buffer holds the frame.
     * @param offset where the frame starts.
     * @param length frame length in bytes.
     */
    void onFrame(DirectBuffer buffer, int offset, int length);
}
