package io.datacake.kv;

import io.datacake.membership.ClusterMember;

import java.util.List;

/**
 * The {@code GET /cluster} document: this node and every member it knows (itself included), each with its id, data
 * centre, cluster address ({@code HOST:PORT}) and status, {@code live} or {@code dead}.
 * <pre>
 * {"node":{"id":1,"dc":"default","address":"127.0.0.1:7401","status":"live"},
 *  "members":[{"id":1,"dc":"default","address":"127.0.0.1:7401","status":"live"}, ...]}
 * </pre>
 */
final class ClusterJson
{
    private static final String ENDPOINT_PARAM = "endpoint=";

    private ClusterJson()
    {
    }

    static String render(final int nodeId, final String dataCentre, final String address,
        final List<ClusterMember> members)
    {
        final StringBuilder sb = new StringBuilder(128 + 96 * members.size());
        sb.append("{\"node\":");
        member(sb, nodeId, dataCentre, address, true);
        sb.append(",\"members\":[");
        for (int i = 0; i < members.size(); i++)
        {
            final ClusterMember member = members.get(i);
            if (i > 0)
            {
                sb.append(',');
            }
            member(sb, member.nodeId(), member.dataCentre(), address(member.endpoint()), member.live());
        }
        return sb.append("]}").toString();
    }

    /**
     * The {@code HOST:PORT} of an Aeron UDP endpoint ({@code aeron:udp?endpoint=HOST:PORT|stream-id=N}), or the
     * endpoint as it is when it has no such part.
     */
    static String address(final String endpoint)
    {
        if (null == endpoint)
        {
            return "";
        }
        final int start = endpoint.indexOf(ENDPOINT_PARAM);
        if (start < 0)
        {
            return endpoint;
        }
        final int from = start + ENDPOINT_PARAM.length();
        final int end = endpoint.indexOf('|', from);
        return endpoint.substring(from, end < 0 ? endpoint.length() : end);
    }

    private static void member(final StringBuilder sb, final int id, final String dataCentre, final String address,
        final boolean live)
    {
        sb.append("{\"id\":").append(id).append(",\"dc\":");
        Json.quote(sb, null == dataCentre ? "" : dataCentre).append(",\"address\":");
        Json.quote(sb, address).append(",\"status\":\"").append(live ? "live" : "dead").append("\"}");
    }
}
