package io.datacake.store;

import io.datacake.membership.StaticClusterView;
import io.datacake.node.Component;
import io.datacake.node.NodeServices;
import io.datacake.rpc.RpcReply;
import io.datacake.rpc.RpcRequest;
import io.datacake.rpc.RpcService;
import io.datacake.sim.Simulation;
import io.datacake.storage.StorageWriterContext;
import io.datacake.testing.SeededTrials;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The asking side of repair drops a malformed reply, counts it by reason and changes nothing: node 1 runs a store
 * whose only peer, node 2, is a fake store service answering with the replies a test sets. Seeds replay with
 * {@code -D}{@value Simulation#SEED_PROPERTY}.
 */
final class RepairMalformedReplyTest
{
    private static final String KEYSPACE = "docs";
    private static final long REPAIR_INTERVAL_MS = 50;
    private static final long BOUND_VIRTUAL_MS = 10_000;

    /**
     * Answers the store's repair messages: the keyspace list and fetch replies the test sets, tree requests from a
     * real tree holding one entry (so a descent reaches the fetch).
     */
    private static final class FakePeer implements Component
    {
        final TictacTree tree = TictacTree.small();
        final TictacResponder responder = new TictacResponder(tree);
        final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(TictacCodec.MAX_MESSAGE_LENGTH);
        byte[] keyspaceList = new byte[0];
        byte[] fetchReply = new byte[0];

        FakePeer()
        {
            tree.apply(42, TictacTree.ABSENT, Keyspace.hash(42, 1L << 20, 2, false));
        }

        public void onStart(final NodeServices services)
        {
            services.addService(new RpcService(ReplicatedStore.SERVICE_NAME)
                .handler(ReplicatedStore.REPAIR_KEYSPACES, (request, reply) -> send(reply, keyspaceList))
                .handler(ReplicatedStore.REPAIR_TREE, this::onTree)
                .handler(ReplicatedStore.REPAIR_FETCH, (request, reply) -> send(reply, fetchReply)));
        }

        private void onTree(final RpcRequest request, final RpcReply reply)
        {
            final int nameLength = Short.BYTES + (request.body().getShort(request.bodyOffset()) & 0xFFFF);
            final int length = responder.respond(request.body(), request.bodyOffset() + nameLength,
                request.bodyLength() - nameLength, out, 0);
            reply.send(out, 0, length);
        }

        private static void send(final RpcReply reply, final byte[] body)
        {
            reply.send(new UnsafeBuffer(body), 0, body.length);
        }

        public void onClose()
        {
            tree.close();
        }
    }

    private static byte[] list(final String name, final long root)
    {
        final byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer buffer = new UnsafeBuffer(
            new byte[8 + Short.BYTES + utf8.length + RepairMessages.KEYSPACE_STATE_LENGTH]);
        buffer.putInt(0, 1);
        buffer.putInt(4, 1);
        buffer.putShort(8, (short)utf8.length);
        buffer.putBytes(8 + Short.BYTES, utf8);
        buffer.putLong(8 + Short.BYTES + utf8.length, root);
        return buffer.byteArray();
    }

    @Test
    void malformedRepliesAreDroppedCountedByReasonAndChangeNothing()
    {
        try (Simulation simulation = new Simulation(SeededTrials.seed("RepairMalformedReplyTest", 401)))
        {
            System.out.println("repair reply simulation " + simulation.replayHint());
            final FakePeer peer = new FakePeer();
            final ReplicatedStore[] store = new ReplicatedStore[1];
            simulation.addNode(1, (ctx) ->
            {
                final StaticClusterView view = new StaticClusterView(1, "dc1", "sim-1");
                view.addMember(2, "dc1", "sim-2");
                store[0] = new ReplicatedStore(new StoreContext()
                    .storage(simulation.storage(1))
                    .clusterView(view)
                    .requestTimeoutMs(1_000)
                    .repairIntervalMs(REPAIR_INTERVAL_MS)
                    .writerContext(new StorageWriterContext().useAgentInvoker(true)));
                ctx.addComponent(store[0]);
            });
            simulation.addNode(2, (ctx) -> ctx.addComponent(peer));
            final ReplicatedStore node1 = store[0];

            // A list shorter than its header, then one whose count is out of range, then an invalid name.
            peer.keyspaceList = new byte[5];
            awaitDropped(simulation, node1, RepairMessages.TRUNCATED, 1);
            peer.keyspaceList = new byte[8];
            new UnsafeBuffer(peer.keyspaceList).putInt(4, RepairMessages.MAX_KEYSPACES_PER_LIST + 1);
            awaitDropped(simulation, node1, RepairMessages.BAD_COUNT, 1);
            peer.keyspaceList = list("", 1);
            awaitDropped(simulation, node1, RepairMessages.BAD_KEYSPACE, 1);
            final byte[] trailing = list(KEYSPACE, 1);
            peer.keyspaceList = java.util.Arrays.copyOf(trailing, trailing.length + 3);
            awaitDropped(simulation, node1, RepairMessages.TRUNCATED, 2);
            assertThat(node1.keyspaceNames()).as("nothing created from a malformed list").isEmpty();

            // A well-formed list and descent, then fetch replies that are broken: nothing is applied.
            peer.keyspaceList = list(KEYSPACE, peer.tree.root());
            peer.fetchReply = new byte[2];
            awaitDropped(simulation, node1, RepairMessages.TRUNCATED, 3);
            peer.fetchReply = new byte[]{-1, -1, -1, -1, 1, 0, 4};
            awaitDropped(simulation, node1, RepairMessages.BAD_ENTRIES, 1);
            peer.fetchReply = new byte[]{0, 0, 0, 0};
            awaitDropped(simulation, node1, RepairMessages.BAD_COUNT, 2);

            final Keyspace keyspace = node1.keyspaceState(KEYSPACE);
            assertThat(keyspace).as("a well-formed list names a keyspace to repair").isNotNull();
            assertThat(keyspace.set().liveCount()).isZero();
            assertThat(keyspace.tree().root()).isEqualTo(TictacTree.ABSENT);
            assertThat(node1.repairEntriesApplied()).isZero();
            assertThat(simulation.storage(1).get(KEYSPACE, 42)).isNull();
        }
    }

    private static void awaitDropped(
        final Simulation simulation, final ReplicatedStore store, final int reason, final long count)
    {
        assertThat(simulation.runUntil(() -> store.malformedRepairDropped(reason) >= count, BOUND_VIRTUAL_MS))
            .as("%s dropped %d times; %s", RepairMessages.reason(reason), count, simulation.replayHint())
            .isTrue();
    }
}
