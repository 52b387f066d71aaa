package io.datacake.node;

import io.datacake.rpc.Rpc;
import io.datacake.rpc.RpcError;
import io.datacake.rpc.RpcException;
import io.datacake.rpc.RpcHeaders;
import io.datacake.rpc.RpcResponse;
import io.datacake.rpc.RpcResponseListener;
import io.datacake.rpc.RpcService;
import io.datacake.sim.RandomNetworkFaults;
import io.datacake.sim.Simulation;
import io.datacake.testing.SeededTrials;
import io.datacake.transport.InProcessNetwork;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An executable walk through the node, RPC, transport and simulation API. Read it top to bottom.
 */
final class TutorialTest
{
    @Test
    void tutorial() throws Exception
    {
        // 1. A transport. The in-process one connects nodes in one JVM; Aeron plugs in through the same
        //    io.datacake.transport.Transport interface. Endpoints are plain strings resolved once into handles.
        final InProcessNetwork network = new InProcessNetwork();

        // 2. A service: a name (its id is a stable hash of the name) and one handler per message type id.
        //    Handlers run on the node thread, read the request in place and reply exactly once.
        final RpcService greeter = new RpcService("greeter")
            .handler(1, (request, reply) ->
            {
                final String name = new String(request.bodyBytes(), StandardCharsets.UTF_8);
                final String lang = request.header("lang");
                final byte[] greeting = (("fr".equals(lang) ? "Bonjour " : "Hello ") + name)
                    .getBytes(StandardCharsets.UTF_8);
                reply.send(new UnsafeBuffer(greeting), 0, greeting.length);
            })
            .handler(2, (request, reply) -> reply.fail("greeter cannot do that"));

        // 3. Nodes. One node = one thread (an Agrona agent) that owns all its state. The context holds every
        //    bound: queue capacity, timeouts, body size, stream window... Defaults suit a small machine.
        try (Node alice = Node.launch(new NodeContext().nodeId(1).transport(network.newTransport("alice")));
            Node bob = Node.launch(new NodeContext().nodeId(2).transport(network.newTransport("bob"))
                .addService(greeter)))
        {
            // 4. Calling from an application thread: the arguments are copied into a command for alice's thread,
            //    and the response comes back through a future. Headers travel with the request.
            final RpcResponse response = alice.call("bob", "greeter", 1,
                "Ada".getBytes(StandardCharsets.UTF_8), new RpcHeaders().add("lang", "fr"), 1_000)
                .get(10, TimeUnit.SECONDS);
            assertThat(response.bodyAsString()).isEqualTo("Bonjour Ada");

            // 5. Failures are typed: handler failure (with its message), unknown service or message type,
            //    timeout, peer unreachable, node closed.
            final CompletableFuture<RpcResponse> failed = alice.call("bob", "greeter", 2, new byte[0], null, 0);
            assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(RpcException.class)
                .satisfies((ex) -> assertThat(((RpcException)ex).error()).isEqualTo(RpcError.HANDLER_FAILURE))
                .hasMessageContaining("greeter cannot do that");

            // 6. Anything can run on the node thread through execute(): the clock, timers and RPC engine are there.
            final long stamp = alice.execute((services) -> services.clock().send()).get(10, TimeUnit.SECONDS);
            assertThat(stamp).isPositive();

            // 7. On the node thread, calls take a reusable listener instead of a future: no allocation per call.
            //    This is what gossip and replication use.
            final CompletableFuture<String> viaListener = new CompletableFuture<>();
            alice.submit((services) ->
            {
                final Rpc rpc = services.rpc();
                final int bobPeer = rpc.resolvePeer("bob");
                final UnsafeBuffer body = new UnsafeBuffer("Grace".getBytes(StandardCharsets.UTF_8));
                rpc.call(bobPeer, RpcService.idOf("greeter"), 1, body, 0, body.capacity(), null, 0,
                    new RpcResponseListener()
                    {
                        public void onResponse(final long id, final DirectBuffer buf, final int off, final int len)
                        {
                            viaListener.complete(buf.getStringWithoutLengthUtf8(off, len));
                        }

                        public void onError(final long id, final RpcError error, final String message)
                        {
                            viaListener.completeExceptionally(new RpcException(error, message));
                        }
                    });
            });
            assertThat(viaListener.get(10, TimeUnit.SECONDS)).isEqualTo("Hello Grace");

            // 8. Timers and duties: components schedule timers on the node clock and plug work into the duty cycle.
            final CompletableFuture<Long> ticked = new CompletableFuture<>();
            alice.submit((services) -> services.timers().scheduleAfter(5, (timerId, nowMs) -> ticked.complete(nowMs)));
            assertThat(ticked.get(10, TimeUnit.SECONDS)).isPositive();

            // 9. Counters are Agrona counters: read them from any thread without locks.
            assertThat(alice.counters().rpc().requestsSent.get()).isEqualTo(3);
            assertThat(bob.counters().rpc().requestsReceived.get()).isEqualTo(3);
        }
        // 10. close() (here by try-with-resources) stops the thread, fails whatever was pending with NODE_CLOSED
        //     and closes the transport. It is idempotent.

        // 11. Components: long-lived parts of a node (membership, replication, a storage writer) are registered in
        //     the context before launch. Each starts before the node polls its first frame, so its services see
        //     every request; it works on every turn of the duty cycle, hears peers come and go, and closes in
        //     reverse order with the node. The node's random is seeded (randomSeed), so a simulation replays.
        final AtomicLong pings = new AtomicLong();
        final Component pingCounter = new Component()
        {
            private NodeServices services;

            public void onStart(final NodeServices services)
            {
                this.services = services;
                services.addService(new RpcService("ping").handler(1, (request, reply) ->
                {
                    pings.incrementAndGet();
                    reply.send(request.body(), request.bodyOffset(), request.bodyLength());
                }));
                // Timers and jitter: here a first gossip round 1..10 ms after start, drawn from the seeded random.
                services.timers().scheduleAfter(1 + services.random().nextInt(10), (id, nowMs) -> gossipRound());
            }

            private void gossipRound()
            {
                // e.g. pick a peer with services.random() and call it through services.rpc()
            }

            public int doWork(final long nowMs)
            {
                return 0;
            }

            public void onPeerUnavailable(final int peer)
            {
                // e.g. mark the peer suspect in a membership table
            }

            public void onClose()
            {
                services = null;
            }
        };
        try (Node carol = Node.launch(new NodeContext().nodeId(3).transport(network.newTransport("carol"))
                .randomSeed(11).addComponent(pingCounter));
            Node dave = Node.launch(new NodeContext().nodeId(4).transport(network.newTransport("dave"))))
        {
            assertThat(dave.call("carol", "ping", 1, "hi".getBytes(StandardCharsets.UTF_8), null, 1_000)
                .get(10, TimeUnit.SECONDS).bodyAsString()).isEqualTo("hi");
            assertThat(pings.get()).isEqualTo(1);
        }

        // 12. Deterministic simulation: the same nodes in virtual time over a faulty network, all stepped by this
        //     thread. The seed fixes every fault; -Ddatacake.sim.seed=<seed> replays a failing run.
        final long seed = SeededTrials.seed("TutorialTest", 7);
        try (Simulation simulation = new Simulation(seed, new RandomNetworkFaults(seed, 0.2, 0.0, 1, 10)))
        {
            final Node alice = simulation.addNode(1, (ctx) -> ctx.requestTimeoutMs(200));
            final Node bob = simulation.addNode(2, (ctx) -> ctx.addService(greeter));
            final AtomicLong ok = new AtomicLong();
            final AtomicLong timedOut = new AtomicLong();
            for (int i = 0; i < 50; i++)
            {
                alice.call(bob.endpoint(), "greeter", 1, new byte[]{'x'}, null, 0).whenComplete((r, ex) ->
                    (null == ex ? ok : timedOut).incrementAndGet());
            }
            simulation.runUntil(() -> ok.get() + timedOut.get() == 50, 10_000);
            // Under 20% loss each call either completes or times out, exactly once.
            assertThat(ok.get() + timedOut.get()).as(simulation.replayHint()).isEqualTo(50);

            // Partitions cut links until healed.
            simulation.network().partition(List.of(alice.endpoint()), List.of(bob.endpoint()));
            simulation.network().heal();
            assertThat(simulation.trace().digest()).isNotZero();
        }
    }
}
