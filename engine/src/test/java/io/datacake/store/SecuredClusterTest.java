package io.datacake.store;

import io.datacake.membership.ClusterMember;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.membership.MembershipComponent;
import io.datacake.membership.MembershipContext;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.security.FrameProtection;
import io.datacake.security.Keyring;
import io.datacake.storage.MemoryStorage;
import io.datacake.testing.TestKeyrings;
import io.datacake.transport.InProcessNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A secured three-node cluster forms through gossip and replicates at ALL, while a fourth node with the wrong secret
 * gossips at it from the start: every one of the intruder's frames is dropped as forged, it never appears in any
 * member's view, and nothing it writes reaches the cluster.
 */
final class SecuredClusterTest
{
    /** Guard against hangs; never reached by a passing test. */
    private static final long DEADLINE_MS = 60_000;
    private static final long FORGED_FRAMES_TO_SEE = 20;

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void aNodeWithTheWrongKeyNeverJoinsAndNeverWrites(final FrameProtection protection)
    {
        final InProcessNetwork network = new InProcessNetwork();
        final List<Node> nodes = new ArrayList<>();
        final List<MemoryStorage> storages = new ArrayList<>();
        final List<MembershipComponent> memberships = new ArrayList<>();
        final List<StoreHandle> handles = new ArrayList<>();
        try
        {
            for (int id = 1; id <= 4; id++)
            {
                final Keyring keyring = id == 4 ? Keyring.of(1, TestKeyrings.secret(9)) : TestKeyrings.clusterKeyring();
                final MembershipContext membershipContext = new MembershipContext().gossipIntervalMs(20);
                if (1 == id)
                {
                    membershipContext.bootstrap(true);
                }
                else
                {
                    membershipContext.seeds("node-1");
                }
                final MembershipComponent membership = new MembershipComponent(membershipContext);
                final MemoryStorage storage = new MemoryStorage();
                final ReplicatedStore store = new ReplicatedStore(
                    new StoreContext().storage(storage).clusterView(membership));
                final Node node = Node.launch(new NodeContext().nodeId(id).transport(network.newTransport("node-" + id))
                    .keyring(keyring).frameProtection(protection).addComponent(membership).addComponent(store));
                storages.add(storage);
                memberships.add(membership);
                nodes.add(node);
                handles.add(store.handle(node));
            }
            final List<MembershipComponent> cluster = memberships.subList(0, 3);
            awaitCondition("the three secured nodes see each other live", () -> cluster.stream().allMatch((m) ->
                m.members().stream().filter(ClusterMember::live).count() == 3));
            handles.get(3).putAndWait("docs", 66, bytes("intruder"), ConsistencyLevel.NONE);
            awaitCondition("node 1 dropped the intruder's gossip",
                () -> nodes.get(0).counters().rpc().forgedFramesDropped.get() >= FORGED_FRAMES_TO_SEE);

            handles.get(1).putAndWait("docs", 7, bytes("seven"), ConsistencyLevel.ALL);
            for (int i = 0; i < 3; i++)
            {
                assertThat(handles.get(i).get("docs", 7)).as("node %d", i + 1).isNotNull();
                assertThat(handles.get(i).get("docs", 66)).as("node %d", i + 1).isNull();
                assertThat(memberships.get(i).members()).extracting(ClusterMember::nodeId).doesNotContain(4);
                assertThat(nodes.get(i).counters().rpc().replayedFramesDropped.get()).as("node %d", i + 1).isZero();
            }
        }
        finally
        {
            nodes.forEach(Node::close);
            storages.forEach(MemoryStorage::close);
        }
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void awaitCondition(final String what, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_MS * 1_000_000L;
        while (!condition.getAsBoolean())
        {
            assertThat(System.nanoTime() - deadlineNs).as(what + " within " + DEADLINE_MS + " ms").isNegative();
            Thread.onSpinWait();
        }
    }
}
