package io.datacake.kv;

import io.datacake.node.Component;
import io.datacake.node.NodeServices;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The HTTP API's counters in the node's counters (so {@code /metrics} shows them): responses by outcome. A node
 * component only to allocate them while the node starts, on the starting thread, before anything else can allocate;
 * request threads then increment them (atomically).
 */
final class HttpCounters implements Component
{
    private AtomicCounter ok;
    private AtomicCounter badRequest;
    private AtomicCounter notFound;
    private AtomicCounter methodNotAllowed;
    private AtomicCounter tooLarge;
    private AtomicCounter busy;
    private AtomicCounter notMet;
    private AtomicCounter failed;

    /**
     * {@inheritDoc}
     */
    public void onStart(final NodeServices services)
    {
        ok = services.counters().newCounter("http responses 200 (ok)");
        badRequest = services.counters().newCounter("http responses 400 (bad request)");
        notFound = services.counters().newCounter("http responses 404 (not found)");
        methodNotAllowed = services.counters().newCounter("http responses 405 (method not allowed)");
        tooLarge = services.counters().newCounter("http responses 413 (value too large)");
        busy = services.counters().newCounter("http responses 503 (busy, retry later)");
        notMet = services.counters().newCounter("http responses 503 (consistency not met)");
        failed = services.counters().newCounter("http responses 5xx (failed)");
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
            case 404 -> notFound;
            case 405 -> methodNotAllowed;
            case 413 -> tooLarge;
            case 503 -> HttpReply.NO_RETRY_AFTER == reply.retryAfterS() ? notMet : busy;
            default -> failed;
        };
        if (null != counter)
        {
            counter.increment();
        }
    }
}
