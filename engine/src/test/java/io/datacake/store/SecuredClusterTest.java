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
import io.datacake.testing.ForwardingTransport;
import io.datacake.testing.TestKeyrings;
import io.datacake.transport.FrameHandler;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.InProcessTransport;
import io.datacake.transport.Transport;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
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
    private static final int FRAMES_TO_REPLAY = 40;
    private static final int FRAMES_TO_SETTLE = 10;
    private static final int MAX_CAPTURED_FRAMES = 200;

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void aNodeWithTheWrongKeyNeverJoinsAndNeverWrites(final FrameProtection protection)
    {
        final InProcessNetwork network = new InProcessNetwork();
        final Members members = new Members();
        final List<Node> nodes = members.nodes;
        final List<MembershipComponent> memberships = members.memberships;
        final List<StoreHandle> handles = members.handles;
        try
        {
            for (int id = 1; id <= 4; id++)
            {
                final Keyring keyring = id == 4 ? Keyring.of(1, TestKeyrings.secret(9)) : TestKeyrings.clusterKeyring();
                members.start(id, network.newTransport("node-" + id), keyring, protection, 1 == id ? null : "node-1");
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
            members.close();
        }
    }

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void gossipAndReplicationForOneMemberReplayedToAnotherNodeAreDroppedAndChangeNothingThere(
        final FrameProtection protection)
    {
        final InProcessNetwork network = new InProcessNetwork();
        final FrameTap tapOfNode2 = new FrameTap(network.newTransport("node-2"));
        final InProcessTransport attacker = network.newTransport("attacker");
        final Members members = new Members();
        final List<Node> nodes = members.nodes;
        final List<MembershipComponent> memberships = members.memberships;
        final List<StoreHandle> handles = members.handles;
        try
        {
            // Nodes 1 and 2 form a cluster; node 3 holds the same key but is on its own.
            for (int id = 1; id <= 3; id++)
            {
                members.start(id, 2 == id ? tapOfNode2 : network.newTransport("node-" + id),
                    TestKeyrings.clusterKeyring(), protection, 2 == id ? "node-1" : null);
            }
            awaitCondition("nodes 1 and 2 see each other live", () -> memberships.subList(0, 2).stream()
                .allMatch((m) -> m.members().stream().filter(ClusterMember::live).count() == 2));

            // Each has had a gossip frame from the other, so each knows which node is behind the other's endpoint.
            // Frames node 1 sent before it knew come first in node 2's inbox: let node 2 read past them.
            final long node2FramesIn = nodes.get(1).counters().rpc().framesIn.get();
            awaitCondition("node 2 read on", () ->
                nodes.get(1).counters().rpc().framesIn.get() - node2FramesIn >= FRAMES_TO_SETTLE);
            tapOfNode2.capture(true);
            handles.get(0).putAndWait("docs", 7, bytes("seven"), ConsistencyLevel.ALL);
            awaitCondition("node 2 received gossip and the write", () -> tapOfNode2.captured() >= FRAMES_TO_REPLAY);
            tapOfNode2.capture(false);

            final Node outsider = nodes.get(2);
            final long framesInBefore = outsider.counters().rpc().framesIn.get();
            int replayed = 0;
            for (byte[] frame = tapOfNode2.next(); null != frame; frame = tapOfNode2.next())
            {
                while (attacker.offer(attacker.resolvePeer("node-3"), new UnsafeBuffer(frame), 0, frame.length) <= 0)
                {
                    Thread.onSpinWait();
                }
                replayed++;
            }
            final int sent = replayed;
            awaitCondition("node 3 polled every replayed frame",
                () -> outsider.counters().rpc().framesIn.get() - framesInBefore >= sent);

            assertThat(outsider.counters().rpc().misaddressedFramesDropped.get()).isEqualTo(replayed);
            assertThat(outsider.counters().rpc().requestsReceived.get()).isZero();
            assertThat(memberships.get(2).members()).extracting(ClusterMember::nodeId).containsExactly(3);
            assertThat(handles.get(2).get("docs", 7)).isNull();
            assertThat(handles.get(1).get("docs", 7)).as("the write reached its destination").isNotNull();
        }
        finally
        {
            members.close();
        }
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The nodes a test started, each with membership and a store over memory storage; closes them all.
     */
    private static final class Members
    {
        final List<Node> nodes = new ArrayList<>();
        final List<MemoryStorage> storages = new ArrayList<>();
        final List<MembershipComponent> memberships = new ArrayList<>();
        final List<StoreHandle> handles = new ArrayList<>();

        /**
         * @param seed the endpoint to join through, or null to bootstrap a cluster of one.
         */
        void start(
            final int id,
            final Transport transport,
            final Keyring keyring,
            final FrameProtection protection,
            final String seed)
        {
            final MembershipContext membershipContext = new MembershipContext().gossipIntervalMs(20);
            if (null == seed)
            {
                membershipContext.bootstrap(true);
            }
            else
            {
                membershipContext.seeds(seed);
            }
            final MembershipComponent membership = new MembershipComponent(membershipContext);
            final MemoryStorage storage = new MemoryStorage();
            final ReplicatedStore store = new ReplicatedStore(
                new StoreContext().storage(storage).clusterView(membership));
            final Node node = Node.launch(new NodeContext().nodeId(id).transport(transport)
                .keyring(keyring).frameProtection(protection).addComponent(membership).addComponent(store));
            storages.add(storage);
            memberships.add(membership);
            nodes.add(node);
            handles.add(store.handle(node));
        }

        void close()
        {
            nodes.forEach(Node::close);
            storages.forEach(MemoryStorage::close);
        }
    }

    /**
     * Passes everything through and, while capturing, keeps a copy of every frame its node receives.
     */
    private static final class FrameTap extends ForwardingTransport
    {
        private final Queue<byte[]> frames = new ConcurrentLinkedQueue<>();
        private final AtomicInteger captured = new AtomicInteger();
        private volatile boolean capturing;

        FrameTap(final Transport delegate)
        {
            super(delegate);
        }

        void capture(final boolean capturing)
        {
            this.capturing = capturing;
        }

        int captured()
        {
            return captured.get();
        }

        byte[] next()
        {
            return frames.poll();
        }

        @Override
        public int poll(final FrameHandler handler, final int fragmentLimit)
        {
            return delegate.poll((buffer, offset, length) ->
            {
                if (capturing && captured.get() < MAX_CAPTURED_FRAMES)
                {
                    final byte[] copy = new byte[length];
                    buffer.getBytes(offset, copy);
                    frames.add(copy);
                    captured.incrementAndGet();
                }
                handler.onFrame(buffer, offset, length);
            }, fragmentLimit);
        }
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
