package io.datacake.perf.compare;

import java.util.concurrent.CompletionStage;

/**
 * A replicated key-value system that {@code perf-harness compare} drives: a cluster of members in this JVM, each
 * accepting puts and holding a replica. Started by its constructor, stopped by {@link #close()}, which also removes
 * any files it made. Thread safe: client threads call {@link #put} concurrently.
 */
public interface CompareTarget extends AutoCloseable
{
    /**
     * @return the name the comparison's table shows.
     */
    String name();

    /**
     * @return number of members, each with a replica.
     */
    int members();

    /**
     * @return true when every member sees every other member, so a write reaches them all.
     */
    boolean ready();

    /**
     * Write a value through one member. The stage completes when the system acknowledges the write at its
     * configured consistency; a system whose put is synchronous returns a completed stage.
     *
     * @param member 0..members-1.
     * @param key    the key.
     * @param value  the value; the system may keep this array, so the caller must not reuse it.
     * @return completes normally when the write is acknowledged, exceptionally when it failed or timed out.
     */
    CompletionStage<?> put(int member, long key, byte[] value);

    /**
     * What one member holds, for the convergence check: may be a live view or a snapshot taken by this call.
     *
     * @param member 0..members-1.
     * @return the member's replica.
     */
    ReplicaView view(int member);

    /**
     * Stop every member and remove the files the target made. Idempotent.
     */
    @Override
    void close();
}
