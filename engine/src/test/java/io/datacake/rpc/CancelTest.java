package io.datacake.rpc;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.sim.SimClock;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.Transport;
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
 * {@link Rpc#cancel}: after it no callback of the call ever runs; late responses and its timeout are dropped and
 * counted, and its pooled state is reused safely. Both nodes are stepped in the test thread on a simulated clock.
 */
final class CancelTest
{
    private static final String SLOW = "slow";
    private static final int HOLD = 1;
    private static final long TIMEOUT_MS = 1_000;

    private final SimClock clock = new SimClock();
    private final InProcessNetwork network = new InProcessNetwork();
    private final BackPressuringTransport clientTransport = new BackPressuringTransport(network.newTransport("client"));
    private final List<RpcReply> heldReplies = new ArrayList<>();
    private final List<String> heldBodies = new ArrayList<>();
    private final RecordingListener listener = new RecordingListener();
    private Node server;
    private Node client;

    private void launch()
    {
        // The handler holds every request; the test answers them in the order it chooses.
        server = Node.launch(new NodeContext().nodeId(2).transport(network.newTransport("server")).epochClock(clock)
            .nanoClock(clock)
            .useAgentInvoker(true).addService(new RpcService(SLOW).handler(HOLD, (request, reply) ->
            {
                heldBodies.add(new String(request.bodyBytes(), StandardCharsets.US_ASCII));
                heldReplies.add(reply.defer());
            })));
        client = Node.launch(new NodeContext().nodeId(1).transport(clientTransport).epochClock(clock).nanoClock(clock)
            .useAgentInvoker(true));
    }

    @AfterEach
    void close()
    {
        if (null != client)
        {
            client.close();
        }
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void aPooledListenerReusedForTheNextCallNeverSeesTheCancelledCallsLateReply()
    {
        launch();
        final long first = this.<Long>run((rpc) -> call(rpc, "one"));
        step(3);
        assertThat(heldReplies).hasSize(1);

        assertThat(cancel(first)).isTrue();
        final long second = this.<Long>run((rpc) -> call(rpc, "two"));
        step(3);
        assertThat(heldReplies).hasSize(2);

        // The cancelled call's answer comes first, then the live one's.
        answer(0, "answer to one");
        answer(1, "answer to two");
        step(3);

        assertThat(listener.events).containsExactly(second + " ok answer to two");
        assertThat(second).isNotEqualTo(first);
        assertThat(client.counters().rpc().callsCancelled.get()).isEqualTo(1);
        assertThat(client.counters().rpc().lateFramesDropped.get()).isEqualTo(1);
        assertThat(this.<Integer>run(Rpc::pendingCount)).isZero();
    }

    @Test
    void aCancelledCallNeverTimesOut()
    {
        launch();
        final long id = this.<Long>run((rpc) -> call(rpc, "one"));
        step(3);
        assertThat(cancel(id)).isTrue();

        clock.advanceMs(TIMEOUT_MS * 2);
        step(3);

        assertThat(listener.events).isEmpty();
        assertThat(client.counters().rpc().requestTimeouts.get()).isZero();
        assertThat(cancel(id)).as("already cancelled").isFalse();
    }

    @Test
    void aCancelledCallThatWasNotSentYetIsNeverSent()
    {
        launch();
        clientTransport.refusal(Transport.NOT_CONNECTED).refuseAll(true);
        final long id = this.<Long>run((rpc) -> call(rpc, "one"));
        step(3);
        assertThat(cancel(id)).isTrue();

        clientTransport.refuseAll(false);
        final long next = this.<Long>run((rpc) -> call(rpc, "two"));
        step(5);

        assertThat(heldBodies).containsExactly("two");
        answer(0, "answer to two");
        step(3);
        assertThat(listener.events).containsExactly(next + " ok answer to two");
    }

    @Test
    void cancellingACompletedOrUnknownCallReturnsFalse()
    {
        launch();
        final long id = this.<Long>run((rpc) -> call(rpc, "one"));
        step(3);
        answer(0, "done");
        step(3);

        assertThat(listener.events).containsExactly(id + " ok done");
        assertThat(cancel(id)).isFalse();
        assertThat(cancel(12345L)).isFalse();
        assertThat(client.counters().rpc().callsCancelled.get()).isZero();
    }

    private long call(final Rpc rpc, final String body)
    {
        final byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
        return rpc.call(rpc.resolvePeer("server"), RpcService.idOf(SLOW), HOLD, new UnsafeBuffer(bytes), 0,
            bytes.length, null, TIMEOUT_MS, listener);
    }

    private void answer(final int index, final String body)
    {
        final byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
        final CompletableFuture<Void> sent = server.execute((s) ->
        {
            heldReplies.get(index).send(new UnsafeBuffer(bytes), 0, bytes.length);
            return null;
        });
        server.invoker().invoke();
        sent.join();
    }

    private boolean cancel(final long correlationId)
    {
        return this.<Boolean>run((rpc) -> rpc.cancel(correlationId));
    }

    private <T> T run(final java.util.function.Function<Rpc, T> action)
    {
        final CompletableFuture<T> result = client.execute((s) -> action.apply(s.rpc()));
        client.invoker().invoke();
        return result.join();
    }

    private void step(final int rounds)
    {
        for (int i = 0; i < rounds; i++)
        {
            client.invoker().invoke();
            server.invoker().invoke();
        }
    }

    /**
     * One listener object reused for every call, as a pooling component would.
     */
    private static final class RecordingListener implements RpcResponseListener
    {
        private final List<String> events = new ArrayList<>();

        public void onResponse(final long correlationId, final DirectBuffer body, final int offset, final int length)
        {
            events.add(correlationId + " ok " + body.getStringWithoutLengthAscii(offset, length));
        }

        public void onError(final long correlationId, final RpcError error, final String message)
        {
            events.add(correlationId + " " + error);
        }
    }
}
