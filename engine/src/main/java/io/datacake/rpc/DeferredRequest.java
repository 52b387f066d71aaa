package io.datacake.rpc;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A request the transport could not take yet (peer still connecting, or back-pressure): a copy of what to send,
 * retried every duty cycle until it goes out, its connect deadline passes, or the call times out.
 */
final class DeferredRequest
{
    final int serviceId;
    final int messageTypeId;
    final UnsafeBuffer body;
    final RpcHeaders headers;
    final long connectDeadlineMs;
    long lastResult;

    DeferredRequest(
        final int serviceId,
        final int messageTypeId,
        final UnsafeBuffer body,
        final RpcHeaders headers,
        final long connectDeadlineMs,
        final long lastResult)
    {
        this.serviceId = serviceId;
        this.messageTypeId = messageTypeId;
        this.body = body;
        this.headers = headers;
        this.connectDeadlineMs = connectDeadlineMs;
        this.lastResult = lastResult;
    }
}
