package io.datacake.perf;

import io.datacake.membership.ConsistencyException;
import io.datacake.node.NodeBackPressureException;
import io.datacake.rpc.RpcError;
import io.datacake.store.ReplicationException;
import io.datacake.store.StoreBackPressureException;
import io.datacake.store.WriteStatus;

import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Why an operation failed, as the report counts it.
 */
public enum ErrorKind
{
    /** Too few live members for the consistency level; nothing was written. */
    CONSISTENCY,
    /** A selected replica did not answer within the request timeout. */
    TIMEOUT,
    /** A bound was full: the node's command queue, the store's pending writes or the storage writer. */
    BACK_PRESSURE,
    /** Anything else: a replica that failed or could not be reached, a closed node, a storage failure. */
    OTHER;

    /**
     * The kind of failure an operation ended with, looking through the future's wrapping.
     *
     * @param failure what the operation threw or its future failed with.
     * @return its kind.
     */
    static ErrorKind classify(final Throwable failure)
    {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) &&
            null != cause.getCause())
        {
            cause = cause.getCause();
        }
        if (cause instanceof ConsistencyException)
        {
            return CONSISTENCY;
        }
        if (cause instanceof StoreBackPressureException || cause instanceof NodeBackPressureException)
        {
            return BACK_PRESSURE;
        }
        // The store names the replica's RPC error in its message; a timed-out replica says TIMEOUT.
        if (cause instanceof ReplicationException && null != cause.getMessage() &&
            cause.getMessage().contains(RpcError.TIMEOUT.name()))
        {
            return TIMEOUT;
        }
        return OTHER;
    }

    /**
     * The kind of failure a write's callback reported.
     *
     * @param status  the write's status, not {@link WriteStatus#ACKNOWLEDGED}.
     * @param failure the exception the future form would fail with, or null.
     * @return its kind.
     */
    static ErrorKind of(final WriteStatus status, final RuntimeException failure)
    {
        return switch (status)
        {
            case TOO_FEW_MEMBERS -> CONSISTENCY;
            case BACK_PRESSURED -> BACK_PRESSURE;
            case NOT_ACKNOWLEDGED -> null == failure ? OTHER : classify(failure);
            default -> OTHER;
        };
    }

    /**
     * @return the name the report uses.
     */
    @Override
    public String toString()
    {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
