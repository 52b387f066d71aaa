package io.datacake.rpc;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.sim.SimClock;
import io.datacake.timer.DeadlineTimers;
import io.datacake.transport.InProcessNetwork;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A call's timeout timer goes away with the call, whatever id the timer wheel gave it. The wheel numbers timers by
 * (spoke, slot), so the first timer of spoke 0 has id 0: a registry that took 0 for "no timer" left that timer
 * armed after the call completed, and when it fired it completed the released (pooled) call a second time.
 */
final class CallTimeoutTest
{
    private static final String ECHO = "echo";
    private static final int ECHO_TYPE = 1;
    private static final long TIMEOUT_MS = 50;

    private final SimClock clock = new SimClock();
    private final InProcessNetwork network = new InProcessNetwork();
    private final List<String> events = new ArrayList<>();
    private final RpcResponseListener listener = new RpcResponseListener()
    {
        public void onResponse(final long correlationId, final DirectBuffer body, final int offset, final int length)
        {
            events.add("ok");
        }

        public void onError(final long correlationId, final RpcError error, final String message)
        {
            events.add(error.name());
        }
    };
    private Node server;
    private Node client;

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
    void aCompletedCallsTimerNeverFiresWhicheverSlotOfTheWheelItHad()
    {
        server = Node.launch(new NodeContext().nodeId(2).transport(network.newTransport("server")).epochClock(clock)
            .nanoClock(clock)
            .useAgentInvoker(true).addService(new RpcService(ECHO).handler(ECHO_TYPE,
                (request, reply) -> reply.send(request.body(), request.bodyOffset(), request.bodyLength()))));
        client = Node.launch(new NodeContext().nodeId(1).transport(network.newTransport("client")).epochClock(clock)
            .nanoClock(clock)
            .useAgentInvoker(true));

        // Calls one after another, each completing before its timeout, and the clock then moved past its deadline
        // (TIMEOUT_MS + 1 = 51 ms, odd, so coprime with the wheel's power-of-two spoke count) while its pooled
        // state is idle: over a whole turn of spokes, the deadline of one call lands in spoke 0 while that spoke
        // is empty, so that call's timer gets id 0.
        final int calls = DeadlineTimers.TICKS_PER_WHEEL + 1;
        for (int i = 0; i < calls; i++)
        {
            final CompletableFuture<Void> sent = client.execute((s) ->
            {
                final Rpc rpc = s.rpc();
                rpc.call(rpc.resolvePeer("server"), RpcService.idOf(ECHO), ECHO_TYPE, new UnsafeBuffer(new byte[8]),
                    0, 8, null, TIMEOUT_MS, listener);
                return null;
            });
            step(4);
            sent.join();
            assertThat(events).as("call %d", i).hasSize(i + 1);
            clock.advanceMs(TIMEOUT_MS + 1);
            step(2);
            assertThat(events).as("after the deadline of call %d", i).hasSize(i + 1);
        }

        assertThat(events).hasSize(calls).containsOnly("ok");
        assertThat(client.counters().rpc().requestTimeouts.get()).isZero();
        assertThat(client.counters().dutyCycleErrors.get()).isZero();
        final CompletableFuture<Integer> pending = client.execute((s) -> s.rpc().pendingCount());
        client.invoker().invoke();
        assertThat(pending.join()).isZero();
    }

    private void step(final int rounds)
    {
        for (int i = 0; i < rounds; i++)
        {
            client.invoker().invoke();
            server.invoker().invoke();
        }
    }
}
