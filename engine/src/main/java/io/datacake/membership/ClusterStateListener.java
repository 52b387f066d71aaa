package io.datacake.membership;

/**
 * Told about changes a {@link ClusterState} makes while applying local writes and gossip. Called on the node thread
 * from inside the state's methods: implementations must be quick and must not modify the state.
 */
public interface ClusterStateListener
{
    /** Listener that ignores everything. */
    ClusterStateListener NO_OP = new ClusterStateListener()
    {
    };

    /**
     * A member was seen for the first time, or in a newer generation (it restarted): its old state is gone.
     *
     * @param nodeId     the member.
     * @param generation its generation now.
     * @param restarted  true if an older generation of the member was known and has been replaced.
     */
    default void onNodeJoined(final int nodeId, final long generation, final boolean restarted)
    {
    }

    /**
     * A member's heartbeat counter rose: evidence that it is alive.
     *
     * @param nodeId     the member.
     * @param generation its generation.
     * @param heartbeat  the new counter value.
     */
    default void onHeartbeat(final int nodeId, final long generation, final long heartbeat)
    {
    }

    /**
     * A key of a member was written or deleted (locally for this node's own keys, through gossip for others).
     * Keys dropped wholesale, when a member restarts or its state is rebuilt after deletions were collected, are
     * not reported one by one.
     *
     * @param nodeId    the member that owns the key.
     * @param key       the key.
     * @param version   the version of the change.
     * @param tombstone true if the key was deleted.
     */
    default void onEntryChanged(final int nodeId, final String key, final long version, final boolean tombstone)
    {
    }

    /**
     * A member's state was dropped: forgotten after being dead past the grace period.
     *
     * @param nodeId the member.
     */
    default void onNodeForgotten(final int nodeId)
    {
    }
}
