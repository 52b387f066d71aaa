package io.datacake.rpc;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A request or one-way message the transport could not take yet (peer still connecting, back-pressure), or one
 * queued behind such a request to the same peer to keep per-peer order: a copy of what to send, retried from the
 * duty cycle, oldest first, until it goes out, its connect deadline passes, or its call ends.
 */
final class QueuedRequest
{
    final int peer;
    final long correlationId;
    final boolean oneWay;
    final int serviceId;
    final int messageTypeId;
    final UnsafeBuffer body;
    final RpcHeaders headers;
    final long connectDeadlineMs;
    /** The call waiting for this request, null for a one-way message. */
    final PendingCall call;
    long lastResult;

    QueuedRequest(
        final int peer,
        final long correlationId,
        final PendingCall call,
        final int serviceId,
        final int messageTypeId,
        final UnsafeBuffer body,
        final RpcHeaders headers,
        final long connectDeadlineMs,
        final long lastResult)
    {
        this.peer = peer;
        this.correlationId = correlationId;
        this.call = call;
        this.oneWay = null == call;
        this.serviceId = serviceId;
        this.messageTypeId = messageTypeId;
        this.body = body;
        this.headers = headers;
        this.connectDeadlineMs = connectDeadlineMs;
        this.lastResult = lastResult;
    }
}
