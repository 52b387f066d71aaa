package io.datacake.transport.aeron;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.membership.MembershipComponent;
import io.datacake.membership.MembershipContext;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.storage.Document;
import io.datacake.storage.MemoryStorage;
import io.datacake.store.ReplicatedStore;
import io.datacake.store.StoreContext;
import io.datacake.store.StoreHandle;
import io.datacake.transport.Transport;
import io.datacake.transport.aeron.AeronTransportFactory.Media;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pieces together on a real transport: three nodes on Aeron UDP on loopback, each with gossip membership and
 * the replicated store on its own storage. Writes at ALL and QUORUM from different coordinators are on every node
 * once acknowledged; a delete at ALL leaves nothing to read anywhere.
 */
class AeronReplicatedStoreTest
{
    private static final long DEADLINE_MS = 60_000;
    private static final int NODES = 3;

    @Test
    void writesAcknowledgedAtAllAndQuorumAreOnEveryNodeOverUdp() throws Exception
    {
        final List<Node> nodes = new ArrayList<>();
        final List<MemoryStorage> storages = new ArrayList<>();
        final List<MembershipComponent> memberships = new ArrayList<>();
        final List<StoreHandle> handles = new ArrayList<>();
        try (AeronTransportFactory factory = new AeronTransportFactory(Media.UDP))
        {
            try
            {
                final Transport[] transports = factory.create(NODES);
                for (int i = 0; i < NODES; i++)
                {
                    final MembershipContext membershipContext = new MembershipContext().gossipIntervalMs(100);
                    if (0 == i)
                    {
                        membershipContext.bootstrap(true);
                    }
                    else
                    {
                        membershipContext.seeds(transports[0].localEndpoint());
                    }
                    final MembershipComponent membership = new MembershipComponent(membershipContext);
                    final MemoryStorage storage = new MemoryStorage();
                    storages.add(storage);
                    final ReplicatedStore store = new ReplicatedStore(
                        new StoreContext().storage(storage).clusterView(membership).requestTimeoutMs(10_000));
                    memberships.add(membership);
                    // Membership first: the store reads the view from its own start on.
                    final Node node = Node.launch(new NodeContext()
                        .nodeId(i + 1)
                        .transport(transports[i])
                        .ownsTransport(true)
                        .idleStrategy(new SleepingMillisIdleStrategy(1))
                        .addComponent(membership)
                        .addComponent(store));
                    nodes.add(node);
                    handles.add(store.handle(node));
                }
                awaitCondition("three live members on every node", () -> memberships.stream()
                    .allMatch((m) -> m.seesAllLive(NODES)));

                handles.get(0).put("docs", 1, bytes("one"), ConsistencyLevel.ALL).get(DEADLINE_MS, TimeUnit.MILLISECONDS);
                for (final StoreHandle handle : handles)
                {
                    assertThat(valueOf(handle.get("docs", 1))).as("node %d", handle.nodeId()).isEqualTo("one");
                }

                handles.get(1).put("docs", 2, bytes("two"), ConsistencyLevel.QUORUM)
                    .get(DEADLINE_MS, TimeUnit.MILLISECONDS);
                // QUORUM waited for two; the third copy arrives by the broadcast to the members not selected.
                awaitCondition("key 2 on every node", () -> handles.stream().allMatch((h) -> null != h.get("docs", 2)));

                handles.get(2).delete("docs", 1, ConsistencyLevel.ALL).get(DEADLINE_MS, TimeUnit.MILLISECONDS);
                for (final StoreHandle handle : handles)
                {
                    assertThat(handle.get("docs", 1)).as("node %d after the delete", handle.nodeId()).isNull();
                    assertThat(valueOf(handle.get("docs", 2))).isEqualTo("two");
                    assertThat(handle.keyspaces()).containsExactly("docs");
                }
            }
            finally
            {
                // Nodes first: each owns its transport, which the factory would otherwise close under it.
                nodes.forEach(Node::close);
                storages.forEach(CloseHelper::quietClose);
            }
        }
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String valueOf(final Document document)
    {
        return null == document ? null : new String(document.value(), StandardCharsets.UTF_8);
    }

    private static void awaitCondition(final String what, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_MS * 1_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError(what + ": not reached within " + DEADLINE_MS + " ms");
            }
            TransportTestSupport.sleepMs(1);
        }
    }
}
