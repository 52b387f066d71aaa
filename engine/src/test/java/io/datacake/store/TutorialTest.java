package io.datacake.store;

import io.datacake.membership.ConsistencyException;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.membership.MembershipComponent;
import io.datacake.membership.MembershipContext;
import io.datacake.membership.StaticClusterView;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.storage.Document;
import io.datacake.storage.MemoryStorage;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.InProcessTransport;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Executable documentation of the replicated store: a single node, then a three-node cluster that finds itself
 * through gossip. Each step is what an application writes; the in-process transport and memory storage stand in
 * for Aeron and LMDB, which plug in the same way.
 */
final class TutorialTest
{
    private static final long DEADLINE_MS = 30_000;

    @Test
    void aSingleNodeStore()
    {
        // 1. Storage and a view of the cluster: here a cluster of one.
        final InProcessTransport transport = new InProcessNetwork().newTransport("node-1");
        try (MemoryStorage storage = new MemoryStorage())
        {
            final StaticClusterView view = new StaticClusterView(1, "dc-1", transport.localEndpoint());

            // 2. The store is a node component: register it before launch.
            final ReplicatedStore store = new ReplicatedStore(new StoreContext().storage(storage).clusterView(view));
            try (Node node = Node.launch(new NodeContext().nodeId(1).transport(transport).addComponent(store)))
            {
                // 3. The handle is thread safe: writes go through the node thread, reads run on the caller's. A
                //    level counts acknowledgements from other nodes, as in datacake: alone, a node writes at NONE.
                final StoreHandle handle = store.handle(node);
                handle.putAndWait("docs", 42, "hello".getBytes(StandardCharsets.UTF_8), ConsistencyLevel.NONE);
                assertThat(text(handle.get("docs", 42))).isEqualTo("hello");
                assertThatThrownBy(() -> handle.putAndWait("docs", 43, new byte[1], ConsistencyLevel.ONE))
                    .isInstanceOf(ConsistencyException.class)
                    .hasMessageContaining("needs 1 other live member");
                assertThat(handle.get("docs", 43)).as("refused before anything was written").isNull();

                // 4. A delete leaves a tombstone; the key reads as absent.
                handle.deleteAndWait("docs", 42, ConsistencyLevel.NONE);
                assertThat(handle.get("docs", 42)).isNull();
                assertThat(handle.keyspaces()).containsExactly("docs");
            }
        }
    }

    @Test
    void aThreeNodeClusterFoundThroughGossip()
    {
        final InProcessNetwork network = new InProcessNetwork();
        final List<Node> nodes = new ArrayList<>();
        final List<MemoryStorage> storages = new ArrayList<>();
        final List<MembershipComponent> memberships = new ArrayList<>();
        final List<StoreHandle> handles = new ArrayList<>();
        try
        {
            for (int id = 1; id <= 3; id++)
            {
                // 1. Membership: the first node bootstraps the cluster, the others name it as their seed.
                final MembershipContext membershipContext = new MembershipContext().gossipIntervalMs(50);
                if (1 == id)
                {
                    membershipContext.bootstrap(true);
                }
                else
                {
                    membershipContext.seeds("node-1");
                }
                final MembershipComponent membership = new MembershipComponent(membershipContext);

                // 2. The store reads the membership as its cluster view: register membership first.
                final MemoryStorage storage = new MemoryStorage();
                final ReplicatedStore store = new ReplicatedStore(
                    new StoreContext().storage(storage).clusterView(membership));
                final Node node = Node.launch(new NodeContext().nodeId(id).transport(network.newTransport("node-" + id))
                    .ownsTransport(true).addComponent(membership).addComponent(store));
                storages.add(storage);
                memberships.add(membership);
                nodes.add(node);
                handles.add(store.handle(node));
            }

            // 3. Wait until every node sees three live members (application threads read an immutable snapshot).
            final long deadlineNs = System.nanoTime() + DEADLINE_MS * 1_000_000L;
            while (!memberships.stream().allMatch((m) -> m.seesAllLive(3)))
            {
                assertThat(System.nanoTime() - deadlineNs).as("cluster formed in time").isNegative();
                Thread.onSpinWait();
            }

            // 4. A write at ALL completes once every node has committed it; any node then reads it locally.
            handles.get(0).putAndWait("docs", 7, "seven".getBytes(StandardCharsets.UTF_8), ConsistencyLevel.ALL);
            for (final StoreHandle handle : handles)
            {
                assertThat(text(handle.get("docs", 7))).as("node %d", handle.nodeId()).isEqualTo("seven");
            }
        }
        finally
        {
            nodes.forEach(Node::close);
            storages.forEach(MemoryStorage::close);
        }
    }

    private static String text(final Document document)
    {
        return null == document ? null : new String(document.value(), StandardCharsets.UTF_8);
    }
}
