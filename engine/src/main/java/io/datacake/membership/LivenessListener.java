package io.datacake.membership;

/**
 * Told when {@link FailureDetector#update} moves a member between live and dead. Called on the node thread.
 */
public interface LivenessListener
{
    /** Listener that ignores everything. */
    LivenessListener NO_OP = new LivenessListener()
    {
    };

    /**
     * A member is live: heard for the first time, heard again after being dead, or heard in a newer generation (it
     * restarted, possibly before it was found silent).
     *
     * @param nodeId     the member.
     * @param generation its generation.
     * @param revived    true if it was dead before.
     */
    default void onLive(final int nodeId, final long generation, final boolean revived)
    {
    }

    /**
     * A member's suspicion level passed the (health-scaled) threshold.
     *
     * @param nodeId     the member.
     * @param generation its generation.
     */
    default void onDead(final int nodeId, final long generation)
    {
    }
}
