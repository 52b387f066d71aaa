package io.datacake.membership;

/**
 * One member as an immutable value, for application threads ({@link MembershipComponent#members()}).
 *
 * @param nodeId     its node id.
 * @param dataCentre its data centre.
 * @param endpoint   the endpoint its RPC listens on.
 * @param generation its generation: grows when it restarts.
 * @param live       whether the failure detector held it live when the snapshot was taken.
 */
public record ClusterMember(int nodeId, String dataCentre, String endpoint, long generation, boolean live)
{
}
