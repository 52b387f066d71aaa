package io.datacake.sim;

import io.datacake.node.Duty;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.rpc.RpcReply;
import io.datacake.rpc.RpcService;
import io.datacake.storage.BulkMutationException;
import io.datacake.storage.WriteBatch;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * A small key-value service over a simulated node's {@link SimStorage} that acknowledges a put only once its commit
 * is durable, as a stepped storage writer would: the request body is an 8-byte key and the value, stamped with the
 * requester's HLC stamp. One instance per incarnation; {@link Cluster} launches and restarts nodes with it.
 */
final class DurableKv implements Duty
{
    static final String SERVICE = "kv";
    static final int PUT = 1;
    static final String KEYSPACE = "kv";

    private final SimStorage storage;
    private final WriteBatch batch;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private final RpcService service = new RpcService(SERVICE).handler(PUT, this::onPut);

    DurableKv(final SimStorage storage)
    {
        this.storage = storage;
        this.batch = storage.newWriteBatch();
    }

    public int doWork(final long nowMs)
    {
        int acknowledged = 0;
        Waiting next;
        while (null != (next = waiting.peekFirst()) && storage.isDurable(next.sequence))
        {
            waiting.pollFirst();
            next.reply.sendEmpty();
            acknowledged++;
        }
        return acknowledged;
    }

    private void onPut(final io.datacake.rpc.RpcRequest request, final RpcReply reply)
    {
        final DirectBuffer body = request.body();
        final int offset = request.bodyOffset();
        batch.put(KEYSPACE, body.getLong(offset), request.hlcStamp(), request.sourceNodeId(), body, offset + 8,
            request.bodyLength() - 8);
        try
        {
            storage.commit(batch);
        }
        catch (final BulkMutationException ex)
        {
            batch.clear();
            reply.fail("commit failed: " + ex.getMessage());
            return;
        }
        waiting.addLast(new Waiting(storage.lastCommitSequence(), reply.defer()));
    }

    private static final class Waiting
    {
        final long sequence;
        final RpcReply reply;

        Waiting(final long sequence, final RpcReply reply)
        {
            this.sequence = sequence;
            this.reply = reply;
        }
    }

    /**
     * Adds, crashes and restarts nodes that run the service; a new incarnation gets a new service instance.
     */
    static final class Cluster
    {
        private final Simulation simulation;
        private final Consumer<NodeContext> customizer;
        private final Int2ObjectHashMap<DurableKv> serviceByNodeId = new Int2ObjectHashMap<>();

        Cluster(final Simulation simulation, final Consumer<NodeContext> customizer)
        {
            this.simulation = simulation;
            this.customizer = customizer;
        }

        Node add(final int nodeId)
        {
            return installDuty(simulation.addNode(nodeId, (ctx) ->
            {
                final DurableKv kv = new DurableKv(simulation.storage(ctx.nodeId()));
                serviceByNodeId.put(ctx.nodeId(), kv);
                ctx.addService(kv.service);
                customizer.accept(ctx);
            }));
        }

        Node restart(final int nodeId)
        {
            return installDuty(simulation.restart(nodeId));
        }

        private Node installDuty(final Node node)
        {
            final DurableKv kv = serviceByNodeId.get(node.nodeId());
            // Queued now, run on the incarnation's first duty cycle, before it polls any frame.
            node.submit((s) -> s.addDuty(kv));
            return node;
        }
    }
}
