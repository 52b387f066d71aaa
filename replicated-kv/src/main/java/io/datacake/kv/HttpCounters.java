package io.datacake.kv;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.nio.ByteBuffer;

/**
 * The HTTP API's counters: responses by outcome, incremented atomically by the request threads and shown by
 * {@code /metrics} next to the node's. They live in their own small counters buffer: the node's is sized for the
 * engine's components and has no room to spare.
 */
final class HttpCounters
{
    /** Counters this buffer holds. */
    static final int CAPACITY = 16;

    private final CountersManager manager = new CountersManager(
        new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY * CountersReader.METADATA_LENGTH)),
        new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY * CountersReader.COUNTER_LENGTH)));
    private final AtomicCounter ok = manager.newCounter("http responses 200 (ok)");
    private final AtomicCounter badRequest = manager.newCounter("http responses 400 (bad request)");
    private final AtomicCounter unauthorized = manager.newCounter("http responses 401 (unauthorized)");
    private final AtomicCounter notFound = manager.newCounter("http responses 404 (not found)");
    private final AtomicCounter methodNotAllowed = manager.newCounter("http responses 405 (method not allowed)");
    private final AtomicCounter conflict = manager.newCounter("http responses 409 (conflict)");
    private final AtomicCounter tooLarge = manager.newCounter("http responses 413 (value too large)");
    private final AtomicCounter busy = manager.newCounter("http responses 503 (busy, retry later)");
    private final AtomicCounter notMet = manager.newCounter("http responses 503 (consistency not met)");
    private final AtomicCounter failed = manager.newCounter("http responses 5xx (failed)");

    /**
     * @return the reader over these counters.
     */
    CountersReader reader()
    {
        return manager;
    }

    /**
     * Count one response.
     *
     * @param reply the response sent.
     */
    void record(final HttpReply reply)
    {
        final AtomicCounter counter = switch (reply.status())
        {
            case 200 -> ok;
            case 400 -> badRequest;
            case 401 -> unauthorized;
            case 404 -> notFound;
            case 405 -> methodNotAllowed;
            case 409 -> conflict;
            case 413 -> tooLarge;
            case 503 -> HttpReply.NO_RETRY_AFTER == reply.retryAfterS() ? notMet : busy;
            default -> failed;
        };
        counter.increment();
    }
}
