package io.datacake.membership;

/**
 * Membership events, computed by {@link Membership} from state and liveness transitions. Called on the node thread
 * while the membership is being driven: implementations must be quick and must not drive the membership.
 */
public interface MembershipListener
{
    /** Listener that ignores everything. */
    MembershipListener NO_OP = new MembershipListener()
    {
    };

    /**
     * A member is live for the first time in this generation: it joined, or restarted.
     *
     * @param nodeId     the member.
     * @param generation its generation.
     * @param restarted  true if an older generation of it was known.
     */
    default void onMemberJoined(final int nodeId, final long generation, final boolean restarted)
    {
    }

    /**
     * A member's heartbeats stopped for longer than the failure detector tolerates.
     *
     * @param nodeId     the member.
     * @param generation its generation.
     */
    default void onMemberDead(final int nodeId, final long generation)
    {
    }

    /**
     * A dead member beats again in the same generation (a partition healed, or a pause ended).
     *
     * @param nodeId     the member.
     * @param generation its generation.
     */
    default void onMemberRevived(final int nodeId, final long generation)
    {
    }

    /**
     * A member left: it announced its leave when it closed cleanly (reported as soon as this node learns it, and not
     * again when it is forgotten later), or it stayed dead past the grace period and has been forgotten. A newer
     * generation of it joins again as a restart.
     *
     * @param nodeId the member.
     */
    default void onMemberLeft(final int nodeId)
    {
    }

    /**
     * A member's key was written or deleted.
     *
     * @param nodeId    the member that owns the key.
     * @param key       the key.
     * @param version   the version of the change.
     * @param tombstone true if the key was deleted.
     */
    default void onKeyChanged(final int nodeId, final String key, final long version, final boolean tombstone)
    {
    }
}
