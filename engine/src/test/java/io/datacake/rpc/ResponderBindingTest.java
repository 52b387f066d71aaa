package io.datacake.rpc;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.protocol.MessageHeaderEncoder;
import io.datacake.protocol.ResponseEncoder;
import io.datacake.protocol.RpcStatus;
import io.datacake.sim.SimClock;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.InProcessTransport;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A response completes a call only if it comes from the node bound to the call (given by the caller, learned from
 * earlier responses on the peer handle, or locked on the first response), and correlation ids start at an
 * unpredictable point per incarnation, so a late answer to an earlier incarnation never completes a call of the
 * next one. Nodes are stepped in the test thread on a simulated clock that moves only when a test moves it, so
 * nodes start in the same millisecond.
 */
final class ResponderBindingTest
{
    private static final String HOLD = "hold";
    private static final int MESSAGE = 1;
    private static final long TIMEOUT_MS = 60_000;

    private final SimClock clock = new SimClock();
    private final InProcessNetwork network = new InProcessNetwork();
    private final InProcessTransport attacker = network.newTransport("attacker");
    private final List<RpcReply> held = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private Node server;

    @AfterEach
    void close()
    {
        for (final Node node : nodes)
        {
            node.close();
        }
    }

    @Test
    void aResponseFromAnotherNodeIsDroppedWhenTheCallNamesItsResponder()
    {
        launchServer();
        final Node client = launchClient(1);
        final Listener listener = new Listener();
        final long id = run(client, (rpc) -> rpc.call(rpc.resolvePeer("server"), 2, RpcService.idOf(HOLD), MESSAGE,
            null, 0, 0, null, TIMEOUT_MS, listener));
        step(client);
        assertThat(held).hasSize(1);

        forgeResponse(client, 99, id, "forged");
        step(client);
        assertThat(listener.events).isEmpty();
        assertThat(client.counters().rpc().wrongPeerFramesDropped.get()).isEqualTo(1);

        answer(0, "real");
        step(client);
        assertThat(listener.events).containsExactly(id + " real");
    }

    @Test
    void aResponseFromAnotherNodeIsDroppedOnceThePeersNodeIsKnownFromEarlierResponses()
    {
        launchServer();
        final Node client = launchClient(1);
        final Listener listener = new Listener();
        final long first = run(client, (rpc) -> call(rpc, listener));
        step(client);
        answer(0, "first");
        step(client);
        assertThat(listener.events).containsExactly(first + " first");

        final long second = run(client, (rpc) -> call(rpc, listener));
        step(client);
        forgeResponse(client, 99, second, "forged");
        step(client);
        assertThat(client.counters().rpc().wrongPeerFramesDropped.get()).isEqualTo(1);
        answer(1, "second");
        step(client);

        assertThat(listener.events).containsExactly(first + " first", second + " second");
    }

    @Test
    void aNodeReplacedByAnotherAtTheSameEndpointIsLearnedAgainAfterATimeout()
    {
        launchServer();
        final Node client = launchClient(1);
        final Listener listener = new Listener();
        final long first = run(client, (rpc) -> call(rpc, listener));
        step(client);
        answer(0, "from node 2");
        step(client);
        server.close();
        nodes.remove(server);

        // Node 3 takes over the endpoint; the handle's learned node id (2) no longer answers.
        held.clear();
        server = Node.launch(new NodeContext().nodeId(3).transport(network.newTransport("server")).epochClock(clock)
            .nanoClock(clock)
            .useAgentInvoker(true).addService(new RpcService(HOLD).handler(MESSAGE,
                (request, reply) -> held.add(reply.defer()))));
        nodes.add(server);
        final long second = run(client, (rpc) -> call(rpc, listener));
        step(client);
        answer(0, "from node 3, dropped");
        step(client);
        assertThat(client.counters().rpc().wrongPeerFramesDropped.get()).isEqualTo(1);
        clock.advanceMs(TIMEOUT_MS);
        step(client);

        final long third = run(client, (rpc) -> call(rpc, listener));
        step(client);
        answer(1, "from node 3");
        step(client);

        assertThat(listener.events).containsExactly(
            first + " from node 2", second + " TIMEOUT", third + " from node 3");
    }

    @Test
    void nodesStartedInTheSameMillisecondDoNotShareACorrelationIdSequence()
    {
        final Node a = launchClient(1);
        final Node b = Node.launch(new NodeContext().nodeId(1).transport(network.newTransport("other"))
            .epochClock(clock).nanoClock(clock).useAgentInvoker(true));
        nodes.add(b);
        final Listener listener = new Listener();

        final long idA = run(a, (rpc) -> rpc.call(rpc.resolvePeer("nobody"), 1, 1, null, 0, 0, null, 0, listener));
        final long idB = run(b, (rpc) -> rpc.call(rpc.resolvePeer("nobody"), 1, 1, null, 0, 0, null, 0, listener));

        assertThat(idA).isNotEqualTo(idB);
    }

    @Test
    void aLateAnswerToAnEarlierIncarnationNeverCompletesACallOfTheNextOne()
    {
        launchServer();
        final Node before = launchClient(1);
        final Listener beforeListener = new Listener();
        run(before, (rpc) -> call(rpc, beforeListener));
        step(before);
        assertThat(held).hasSize(1);
        before.close();
        nodes.remove(before);
        assertThat(beforeListener.events).hasSize(1).allMatch((event) -> event.endsWith(" NODE_CLOSED"));
        final Listener listener = new Listener();

        // Same node id, same endpoint, same millisecond.
        final Node after = launchClient(1);
        final long id = run(after, (rpc) -> call(rpc, listener));
        step(after);
        assertThat(held).hasSize(2);

        answer(0, "answer to the earlier incarnation");
        step(after);
        assertThat(listener.events).isEmpty();
        answer(1, "answer to this incarnation");
        step(after);

        assertThat(listener.events).containsExactly(id + " answer to this incarnation");
        assertThat(after.counters().rpc().lateFramesDropped.get()).isEqualTo(1);
    }

    private long call(final Rpc rpc, final RpcResponseListener listener)
    {
        return rpc.call(rpc.resolvePeer("server"), RpcService.idOf(HOLD), MESSAGE, null, 0, 0, null, TIMEOUT_MS,
            listener);
    }

    private void launchServer()
    {
        server = Node.launch(new NodeContext().nodeId(2).transport(network.newTransport("server")).epochClock(clock)
            .nanoClock(clock)
            .useAgentInvoker(true).addService(new RpcService(HOLD).handler(MESSAGE,
                (request, reply) -> held.add(reply.defer()))));
        nodes.add(server);
    }

    private Node launchClient(final int nodeId)
    {
        final Node node = Node.launch(new NodeContext().nodeId(nodeId).transport(network.newTransport("client"))
            .epochClock(clock).nanoClock(clock).useAgentInvoker(true));
        nodes.add(node);
        return node;
    }

    private void answer(final int index, final String body)
    {
        final byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
        final CompletableFuture<Void> sent = server.execute((s) ->
        {
            held.get(index).send(new UnsafeBuffer(bytes), 0, bytes.length);
            return null;
        });
        server.invoker().invoke();
        sent.join();
    }

    private void forgeResponse(final Node client, final int sourceNodeId, final long correlationId, final String body)
    {
        final byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final ResponseEncoder encoder = new ResponseEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
        encoder.frame().clusterId(0).sourceNodeId(sourceNodeId).correlationId(correlationId).hlcStamp(0);
        encoder.frame().flags().clear().response(true);
        encoder.streamId(0).status(RpcStatus.OK).totalBodyLength(bytes.length);
        encoder.putErrorMessage(new UnsafeBuffer(new byte[0]), 0, 0);
        encoder.putBody(new UnsafeBuffer(bytes), 0, bytes.length);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        assertThat(attacker.offer(attacker.resolvePeer(client.endpoint()), buffer, 0, length)).isPositive();
    }

    private static long run(final Node node, final java.util.function.ToLongFunction<Rpc> action)
    {
        final CompletableFuture<Long> result = node.execute((s) -> action.applyAsLong(s.rpc()));
        node.invoker().invoke();
        return result.join();
    }

    private void step(final Node client)
    {
        for (int i = 0; i < 4; i++)
        {
            client.invoker().invoke();
            if (null != server)
            {
                server.invoker().invoke();
            }
        }
    }

    private static final class Listener implements RpcResponseListener
    {
        private final List<String> events = new ArrayList<>();

        public void onResponse(final long correlationId, final DirectBuffer body, final int offset, final int length)
        {
            events.add(correlationId + " " + body.getStringWithoutLengthAscii(offset, length));
        }

        public void onError(final long correlationId, final RpcError error, final String message)
        {
            events.add(correlationId + " " + error);
        }
    }
}
