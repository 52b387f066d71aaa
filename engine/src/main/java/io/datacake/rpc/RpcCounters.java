package io.datacake.rpc;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * The RPC layer's observability: Agrona {@link AtomicCounter}s written by the node thread and readable from any
 * thread. The owner of the counters buffer (the node) allocates them here and may expose them under its own names.
 * Every dropped input is counted under exactly one reason.
 */
public final class RpcCounters
{
    /** Frames received from the transport. */
    public final AtomicCounter framesIn;
    /** Frames sent to the transport. */
    public final AtomicCounter framesOut;
    /** Bytes of frames received. */
    public final AtomicCounter bytesIn;
    /** Bytes of frames sent. */
    public final AtomicCounter bytesOut;
    /** Malformed frames dropped (bad magic, version, template, lengths, offsets). */
    public final AtomicCounter malformedFramesDropped;
    /** Well-formed frames dropped because they came from another cluster. */
    public final AtomicCounter foreignFramesDropped;
    /** Requests sent (one-way messages included). */
    public final AtomicCounter requestsSent;
    /** Requests received (one-way messages included). */
    public final AtomicCounter requestsReceived;
    /** Responses sent. */
    public final AtomicCounter responsesSent;
    /** Responses received for a pending request. */
    public final AtomicCounter responsesReceived;
    /** Responses (or stream frames) received for no pending request: late after a timeout, or duplicates. */
    public final AtomicCounter lateFramesDropped;
    /** Requests that timed out. */
    public final AtomicCounter requestTimeouts;
    /** Requests that failed for any reason (timeouts and error responses included). */
    public final AtomicCounter requestFailures;
    /** Handlers that threw or did not reply. */
    public final AtomicCounter handlerFailures;
    /**
     * Sends that failed for good: refused by the transport (not connected, closed), still not possible at the connect
     * deadline, or a queued reply dropped ({@link #repliesDropped}).
     */
    public final AtomicCounter sendFailures;
    /** Piggybacked HLC stamps the clock rejected (drift, overflow); the RPC itself proceeds. */
    public final AtomicCounter clockErrors;
    /** Response and body listeners that threw; each error also goes to the error handler. */
    public final AtomicCounter listenerErrors;
    /** Streamed bodies started (either direction). */
    public final AtomicCounter streamsStarted;
    /** Stream chunks dropped (out of order, unknown or expired stream, wrong stream identity). */
    public final AtomicCounter streamChunksDropped;
    /** Replies (responses, stream credits) queued because the transport was back-pressured or not connected. */
    public final AtomicCounter repliesQueued;
    /** Queued replies sent later from the duty cycle. */
    public final AtomicCounter repliesRetried;
    /**
     * Replies dropped for good: the pending-reply queue was full, the retry deadline passed, the peer went away, or
     * the node closed with replies still queued. Each is also counted in {@link #sendFailures}.
     */
    public final AtomicCounter repliesDropped;
    /** Requests and one-way messages queued behind earlier ones to the same peer that could not be sent yet. */
    public final AtomicCounter requestsQueued;
    /** Calls cancelled by their caller before an outcome. */
    public final AtomicCounter callsCancelled;
    /** Response, chunk or credit frames dropped because they came from a node other than the call's peer. */
    public final AtomicCounter wrongPeerFramesDropped;
    /** Frames dropped because they were unsecured at a node with a keyring, or secured at a node without one. */
    public final AtomicCounter unsecuredFramesDropped;
    /** Secured frames dropped because their key id is not in the keyring. */
    public final AtomicCounter unknownKeyFramesDropped;
    /** Secured frames dropped because their tag did not match: altered, or sealed under another secret. */
    public final AtomicCounter forgedFramesDropped;
    /** Secured frames dropped because their sender's replay window had seen them, or had moved past them. */
    public final AtomicCounter replayedFramesDropped;
    /** Secured frames dropped because they came from an older life of their sender or predate this node's start. */
    public final AtomicCounter staleFramesDropped;
    /**
     * Secured frames dropped because they were addressed to another node id, or were unaddressed responses, credits
     * or response chunks (only requests and request chunks may go out before the sender knows the receiver's id).
     */
    public final AtomicCounter misaddressedFramesDropped;

    /**
     * Allocate the counters.
     *
     * @param countersManager where to allocate them.
     * @param labelPrefix     prefix of every label, e.g. {@code "node 7: "}.
     * @param listenerErrors  the counter listener errors go to (e.g. the node's duty-cycle errors), or null to
     *                        allocate one.
     * @throws IllegalStateException if the counters buffer is full.
     */
    public RpcCounters(
        final CountersManager countersManager, final String labelPrefix, final AtomicCounter listenerErrors)
    {
        final String prefix = null == labelPrefix ? "" : labelPrefix;
        framesIn = countersManager.newCounter(prefix + "frames in");
        framesOut = countersManager.newCounter(prefix + "frames out");
        bytesIn = countersManager.newCounter(prefix + "bytes in");
        bytesOut = countersManager.newCounter(prefix + "bytes out");
        malformedFramesDropped = countersManager.newCounter(prefix + "malformed frames dropped");
        foreignFramesDropped = countersManager.newCounter(prefix + "foreign cluster frames dropped");
        requestsSent = countersManager.newCounter(prefix + "requests sent");
        requestsReceived = countersManager.newCounter(prefix + "requests received");
        responsesSent = countersManager.newCounter(prefix + "responses sent");
        responsesReceived = countersManager.newCounter(prefix + "responses received");
        lateFramesDropped = countersManager.newCounter(prefix + "late or duplicate frames dropped");
        requestTimeouts = countersManager.newCounter(prefix + "request timeouts");
        requestFailures = countersManager.newCounter(prefix + "request failures");
        handlerFailures = countersManager.newCounter(prefix + "handler failures");
        sendFailures = countersManager.newCounter(prefix + "send failures");
        clockErrors = countersManager.newCounter(prefix + "clock errors");
        this.listenerErrors = null != listenerErrors ?
            listenerErrors : countersManager.newCounter(prefix + "listener errors");
        streamsStarted = countersManager.newCounter(prefix + "streams started");
        streamChunksDropped = countersManager.newCounter(prefix + "stream chunks dropped");
        repliesQueued = countersManager.newCounter(prefix + "replies queued (back-pressured)");
        repliesRetried = countersManager.newCounter(prefix + "queued replies sent");
        repliesDropped = countersManager.newCounter(prefix + "replies dropped");
        requestsQueued = countersManager.newCounter(prefix + "requests queued behind earlier ones");
        callsCancelled = countersManager.newCounter(prefix + "calls cancelled");
        wrongPeerFramesDropped = countersManager.newCounter(prefix + "frames from the wrong peer dropped");
        unsecuredFramesDropped = countersManager.newCounter(prefix + "unsecured frames dropped");
        unknownKeyFramesDropped = countersManager.newCounter(prefix + "frames under an unknown key dropped");
        forgedFramesDropped = countersManager.newCounter(prefix + "forged frames dropped");
        replayedFramesDropped = countersManager.newCounter(prefix + "replayed frames dropped");
        staleFramesDropped = countersManager.newCounter(prefix + "stale frames dropped");
        misaddressedFramesDropped = countersManager.newCounter(prefix + "frames for another node dropped");
    }
}
