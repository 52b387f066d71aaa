package io.datacake.transport.aeron;

import io.datacake.membership.ClusterMember;
import io.datacake.membership.MembershipComponent;
import io.datacake.membership.MembershipContext;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.transport.Transport;
import io.datacake.transport.aeron.AeronTransportFactory.Media;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Membership over a real transport: three nodes on Aeron UDP on loopback (one embedded media driver each, free
 * ports) gossip through one seed and converge to three live members, read through the thread-safe snapshot.
 */
class AeronMembershipTest
{
    private static final long CONVERGE_LIMIT_MS = 60_000;

    @Test
    void threeNodesOnUdpConvergeToThreeLiveMembers()
    {
        final List<Node> nodes = new ArrayList<>();
        final List<MembershipComponent> components = new ArrayList<>();
        try (AeronTransportFactory factory = new AeronTransportFactory(Media.UDP))
        {
            try
            {
                final Transport[] transports = factory.create(3);
                final String seed = transports[0].localEndpoint();
                for (int i = 0; i < transports.length; i++)
                {
                    final MembershipContext ctx = new MembershipContext()
                        .dataCentre("dc-" + (i % 2))
                        .gossipIntervalMs(100);
                    if (0 == i)
                    {
                        ctx.bootstrap(true);
                    }
                    else
                    {
                        ctx.seeds(seed);
                    }
                    final MembershipComponent component = new MembershipComponent(ctx);
                    components.add(component);
                    nodes.add(Node.launch(new NodeContext()
                        .nodeId(i + 1)
                        .transport(transports[i])
                        .ownsTransport(true)
                        .idleStrategy(new SleepingMillisIdleStrategy(1))
                        .addComponent(component)));
                }

                awaitCondition(() -> components.stream().allMatch((c) -> c.seesAllLive(3)));

                for (final MembershipComponent component : components)
                {
                    final List<ClusterMember> members = component.members();
                    assertThat(members).extracting(ClusterMember::nodeId).containsExactly(1, 2, 3);
                    for (final ClusterMember member : members)
                    {
                        assertThat(member.endpoint()).isEqualTo(transports[member.nodeId() - 1].localEndpoint());
                        assertThat(member.dataCentre()).isEqualTo("dc-" + ((member.nodeId() - 1) % 2));
                    }
                }
            }
            finally
            {
                // Nodes first: each owns its transport, which the factory would otherwise close under it.
                nodes.forEach(Node::close);
            }
        }
    }

    private static void awaitCondition(final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + CONVERGE_LIMIT_MS * 1_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("three live members not seen by every node within " + CONVERGE_LIMIT_MS +
                    " ms");
            }
            TransportTestSupport.sleepMs(1);
        }
    }
}
