package io.datacake.membership;

/**
 * Receives the members of a {@link ClusterView}.
 */
@FunctionalInterface
public interface MemberVisitor
{
    /**
     * One member.
     *
     * @param nodeId     its node id.
     * @param dataCentre its data centre.
     * @param endpoint   the endpoint its RPC listens on (as the transport resolves it).
     * @param generation its generation (incarnation): grows when the node restarts.
     * @param live       whether the failure detector holds it live (always true for this node).
     */
    void onMember(int nodeId, String dataCentre, String endpoint, long generation, boolean live);
}
