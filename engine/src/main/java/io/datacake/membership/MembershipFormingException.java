package io.datacake.membership;

/**
 * A count-based {@link ConsistencyLevel} ({@link ConsistencyLevel#countsMembers()}) was asked of a node whose
 * {@link ClusterView#isComplete() view may still lack members}: nothing was written. A node that has just started
 * (or restarted) under gossip knows only the members it has heard from, so a majority of those, or all of them, may
 * be fewer replicas than the cluster's majority or all. The write may be retried once the node has heard from its
 * seeds ({@link #seedsHeard()} of {@link #seedCount()}), or made at a fixed count (ONE, TWO, THREE) meanwhile.
 * {@link #required()} is 0: what the level needs is not known until the view is complete.
 */
public final class MembershipFormingException extends ConsistencyException
{
    private static final long serialVersionUID = 1L;

    private final int seedsHeard;
    private final int seedCount;

    /**
     * @param level      the level asked for.
     * @param nodeId     the refusing node.
     * @param members    members its view holds, itself included.
     * @param live       live members besides itself.
     * @param seedsHeard seeds counted as heard so far.
     * @param seedCount  seeds it waits for.
     */
    public MembershipFormingException(
        final ConsistencyLevel level,
        final int nodeId,
        final int members,
        final int live,
        final int seedsHeard,
        final int seedCount)
    {
        super(level + " is not served while node " + nodeId + "'s membership view is still forming: " + seedsHeard +
            " of its " + seedCount + " seeds heard since it started, so its " + members + " known member" +
            (1 == members ? "" : "s") + " may not be every member; retry once the seeds answer, or write at ONE, " +
            "TWO or THREE meanwhile", level, 0, live, null);
        this.seedsHeard = seedsHeard;
        this.seedCount = seedCount;
    }

    /**
     * @return the seeds the refusing node had counted as heard.
     */
    public int seedsHeard()
    {
        return seedsHeard;
    }

    /**
     * @return the seeds the refusing node waits for.
     */
    public int seedCount()
    {
        return seedCount;
    }
}
