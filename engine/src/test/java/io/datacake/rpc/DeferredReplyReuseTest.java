package io.datacake.rpc;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.sim.SimClock;
import io.datacake.transport.InProcessNetwork;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RpcReply#defer(RpcReply)}: a handler that keeps its answered deferred replies reuses them for later
 * requests, and every caller still gets its own answer; a reply that still stands for a request, or one that was
 * never deferred, is refused.
 */
final class DeferredReplyReuseTest
{
    private static final String HOLDING = "holding";
    private static final int HOLD = 1;
    private static final int MAX_PUMP_ROUNDS = 100;

    private final SimClock clock = new SimClock();
    private final InProcessNetwork network = new InProcessNetwork();
    private final List<RpcReply> held = new ArrayList<>();
    private final List<String> bodies = new ArrayList<>();
    private final List<Throwable> handlerErrors = new ArrayList<>();
    private RpcReply spent;
    private RpcReply reuseAttempt;
    private final Node server = Node.launch(new NodeContext().nodeId(2).transport(network.newTransport("server"))
        .epochClock(clock).nanoClock(clock).useAgentInvoker(true).addService(new RpcService(HOLDING).handler(HOLD, (request, reply) ->
        {
            bodies.add(new String(request.bodyBytes(), StandardCharsets.US_ASCII));
            try
            {
                held.add(reply.defer(null != reuseAttempt ? reuseAttempt : spent));
            }
            catch (final IllegalStateException ex)
            {
                handlerErrors.add(ex);
                throw ex;
            }
        })));
    private final Node client = Node.launch(new NodeContext().nodeId(1).transport(network.newTransport("client"))
        .epochClock(clock).nanoClock(clock).useAgentInvoker(true));

    @AfterEach
    void close()
    {
        client.close();
        server.close();
    }

    @Test
    void answeredRepliesAreReusedAndEveryCallerGetsItsOwnAnswer() throws Exception
    {
        final List<RpcReply> distinct = new ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            final CompletableFuture<RpcResponse> call = call("request " + i);
            pump();
            assertThat(held).hasSize(1);
            final RpcReply reply = held.remove(0);
            if (!distinct.contains(reply))
            {
                distinct.add(reply);
            }
            reply.send(new UnsafeBuffer(("answer " + i).getBytes(StandardCharsets.US_ASCII)),
                0, ("answer " + i).length());
            spent = reply;
            pump();
            assertThat(new String(call.get().body(), StandardCharsets.US_ASCII)).isEqualTo("answer " + i);
        }
        assertThat(bodies).containsExactly("request 0", "request 1", "request 2", "request 3", "request 4");
        assertThat(distinct).as("one deferred reply object served all five requests").hasSize(1);
    }

    @Test
    void aReplyStillStandingForARequestIsNotReused()
    {
        final CompletableFuture<RpcResponse> first = call("first");
        pump();
        reuseAttempt = held.get(0); // deferred, not answered yet

        final CompletableFuture<RpcResponse> second = call("second");
        pump();

        assertThat(handlerErrors).singleElement().extracting(Throwable::getMessage).asString()
            .contains("still stands for an unanswered request");
        assertThatThrownBy(second::get).isInstanceOf(ExecutionException.class);
        assertThat(first).isNotDone();
        reuseAttempt.sendEmpty();
        pump();
        assertThat(first).isCompleted();
    }

    private CompletableFuture<RpcResponse> call(final String body)
    {
        return client.call(server.endpoint(), HOLDING, HOLD, body.getBytes(StandardCharsets.US_ASCII), null, 60_000);
    }

    private void pump()
    {
        for (int round = 0; round < MAX_PUMP_ROUNDS; round++)
        {
            if (0 == client.invoker().invoke() + server.invoker().invoke())
            {
                return;
            }
        }
    }
}
