package io.datacake.rpc;

import io.datacake.protocol.RpcStatus;

/**
 * Why an RPC failed, as seen by the caller. The first group comes from the remote node in an error response, the
 * second is decided locally.
 */
public enum RpcError
{
    /** No service with the requested id is registered on the remote node. */
    UNKNOWN_SERVICE,
    /** The service exists but has no handler for the message type. */
    UNKNOWN_MESSAGE_TYPE,
    /** The remote handler threw or failed the request; the message is the handler's. */
    HANDLER_FAILURE,
    /** The body exceeds a node's maximum body length. */
    BODY_TOO_LARGE,
    /** The remote node has no room for another streamed body right now. */
    SERVER_BUSY,
    /** No response arrived within the request timeout. */
    TIMEOUT,
    /** The transport could not reach the peer (nothing listens at its endpoint, or it went away). */
    PEER_UNREACHABLE,
    /** The transport stayed back-pressured; the request was not sent. */
    BACK_PRESSURED,
    /** The local node closed before the request completed. */
    NODE_CLOSED,
    /** The local node already has its maximum number of pending requests. */
    TOO_MANY_PENDING;

    static RpcError fromStatus(final RpcStatus status)
    {
        switch (status)
        {
            case UNKNOWN_SERVICE:
                return UNKNOWN_SERVICE;
            case UNKNOWN_MESSAGE_TYPE:
                return UNKNOWN_MESSAGE_TYPE;
            case BODY_TOO_LARGE:
                return BODY_TOO_LARGE;
            case SERVER_BUSY:
                return SERVER_BUSY;
            default:
                return HANDLER_FAILURE;
        }
    }
}
