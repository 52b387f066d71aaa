package io.datacake.node;

import io.datacake.rpc.BackPressuringTransport;
import io.datacake.rpc.RpcError;
import io.datacake.rpc.RpcException;
import io.datacake.rpc.RpcResponse;
import io.datacake.rpc.RpcService;
import io.datacake.sim.SimClock;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.InProcessTransport;
import io.datacake.transport.Transport;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class ComponentTest
{
    private final InProcessNetwork network = new InProcessNetwork();
    private final SimClock clock = new SimClock();
    private final List<String> events = new ArrayList<>();

    @Test
    void componentsStartInRegistrationOrderWorkEveryTurnAndCloseInReverseOrder()
    {
        final NodeContext ctx = invokerContext(1, network.newTransport());
        ctx.addComponent(new Recorder("a")).addComponent(new Recorder("b")).addComponent(new Recorder("c"));
        try (Node node = Node.launch(ctx))
        {
            assertThat(events).containsExactly("start a", "start b", "start c");
            events.clear();
            node.invoker().invoke();
            assertThat(events).containsExactly("work a", "work b", "work c");
            events.clear();
        }
        assertThat(events).containsExactly("close c", "close b", "close a");
    }

    @Test
    void aComponentThatFailsToStartFailsTheLaunchAndTheStartedOnesCloseInReverseOrder()
    {
        final InProcessTransport transport = network.newTransport();
        final NodeContext ctx = invokerContext(1, transport)
            .addComponent(new Recorder("a"))
            .addComponent(new Recorder("b")
            {
                public void onClose()
                {
                    super.onClose();
                    throw new IllegalStateException("b failed to close");
                }
            })
            .addComponent(new Recorder("c")
            {
                public void onStart(final NodeServices services)
                {
                    super.onStart(services);
                    throw new IllegalStateException("c cannot open its files");
                }
            })
            .addComponent(new Recorder("d"));

        assertThatThrownBy(() -> Node.launch(ctx))
            .isInstanceOf(ComponentStartException.class)
            .hasMessageContaining("component 2")
            .hasMessageContaining("c cannot open its files")
            .satisfies((ex) ->
            {
                assertThat(((ComponentStartException)ex).componentIndex()).isEqualTo(2);
                assertThat(ex.getCause()).hasMessage("c cannot open its files");
                assertThat(ex.getSuppressed()).extracting(Throwable::getMessage).containsExactly("b failed to close");
            });
        assertThat(events).containsExactly("start a", "start b", "start c", "close b", "close a");
        assertThat(transport.isClosed()).isTrue();
    }

    @Test
    void aServiceRegisteredByAComponentAnswersARequestThatIsTheVeryFirstFrame() throws Exception
    {
        final InProcessTransport serverTransport = network.newTransport("server");
        try (Node client = Node.launch(invokerContext(1, network.newTransport("client"))))
        {
            // The request reaches the server's transport before the server node exists.
            final CompletableFuture<RpcResponse> response = client.call(
                "server", "hello", 1, "first".getBytes(StandardCharsets.UTF_8), null, 60_000);
            client.invoker().invoke();
            assertThat(response).isNotDone();

            final Component helloService = (services) -> services.addService(new RpcService("hello").handler(1,
                (request, reply) ->
                {
                    final byte[] body = ("hello " + new String(request.bodyBytes(), StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8);
                    reply.send(new UnsafeBuffer(body), 0, body.length);
                }));
            try (Node server = Node.launch(invokerContext(2, serverTransport).addComponent(helloService)))
            {
                server.invoker().invoke();
                client.invoker().invoke();
                assertThat(response.get(10, TimeUnit.SECONDS).bodyAsString()).isEqualTo("hello first");
                assertThat(server.counters().rpc().requestsReceived.get()).isEqualTo(1);
            }
        }
    }

    @Test
    void peerStatusReachesTheRpcLayerAndEveryComponentInOrder() throws Exception
    {
        final BackPressuringTransport transport = new BackPressuringTransport(network.newTransport("client"));
        network.newTransport("server");
        final NodeContext ctx = invokerContext(1, transport)
            .addComponent(new Recorder("a"))
            .addComponent(new Recorder("b"));
        try (Node node = Node.launch(ctx))
        {
            final CompletableFuture<RpcResponse> pending = node.call("server", "nobody", 1, new byte[1], null, 60_000);
            node.invoker().invoke();
            final int peer = transport.resolvePeer("server");
            events.clear();

            transport.reportAvailable(peer);
            node.invoker().invoke();
            transport.reportUnavailable(peer);
            node.invoker().invoke();

            assertThat(events).filteredOn((e) -> !e.startsWith("work")).containsExactly(
                "available " + peer + " a", "available " + peer + " b",
                "unavailable " + peer + " a", "unavailable " + peer + " b");
            // The RPC layer heard it first: the call pending on that peer failed at once.
            assertThat(pending).isCompletedExceptionally();
            assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(RpcException.class)
                .satisfies((ex) -> assertThat(((RpcException)ex).error()).isEqualTo(RpcError.PEER_UNREACHABLE));
        }
    }

    @Test
    void theNodeRandomIsReproducibleBySeed()
    {
        final long[] first = drawsWithSeed(42);
        final long[] again = drawsWithSeed(42);
        final long[] other = drawsWithSeed(43);
        assertThat(again).containsExactly(first);
        assertThat(other).isNotEqualTo(first);

        final NodeContext unseeded = invokerContext(3, network.newTransport()).conclude();
        final NodeContext unseededToo = invokerContext(4, network.newTransport()).conclude();
        assertThat(unseeded.randomSeed()).isNotEqualTo(unseededToo.randomSeed());
    }

    @Test
    void componentErrorsAreCountedAndHandledAndTheNodeKeepsRunning() throws Exception
    {
        final List<Throwable> errors = new ArrayList<>();
        final int[] turns = new int[1];
        final Component flaky = new Component()
        {
            public void onStart(final NodeServices services)
            {
            }

            public int doWork(final long nowMs)
            {
                if (++turns[0] <= 2)
                {
                    throw new IllegalStateException("turn " + turns[0] + " failed");
                }
                return 0;
            }

            public void onPeerAvailable(final int peer)
            {
                throw new IllegalArgumentException("peer " + peer + " rejected");
            }
        };
        final BackPressuringTransport transport = new BackPressuringTransport(network.newTransport());
        final NodeContext ctx = invokerContext(1, transport).errorHandler(errors::add)
            .addComponent(flaky).addComponent(new Recorder("after"));
        try (Node node = Node.launch(ctx))
        {
            for (int i = 0; i < 4; i++)
            {
                node.invoker().invoke();
            }
            transport.reportAvailable(7);
            final CompletableFuture<Integer> stillRunning = node.execute((s) -> 5);
            node.invoker().invoke();

            assertThat(stillRunning.get(10, TimeUnit.SECONDS)).isEqualTo(5);
            assertThat(turns[0]).isEqualTo(5);
            assertThat(events).filteredOn((e) -> e.startsWith("work")).hasSize(5);
            assertThat(events).contains("available 7 after");
            assertThat(errors).extracting(Throwable::getMessage)
                .containsExactly("turn 1 failed", "turn 2 failed", "peer 7 rejected");
            assertThat(node.counters().componentErrors.get()).isEqualTo(3);
            assertThat(node.counters().dutyCycleErrors.get()).isEqualTo(3);
        }
    }

    @Test
    void aComponentIsRegisteredOnce()
    {
        final Component component = (services) -> { };
        final NodeContext ctx = new NodeContext().addComponent(component);
        assertThatThrownBy(() -> ctx.addComponent(component))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already registered");
        assertThatThrownBy(() -> ctx.addComponent(null)).isInstanceOf(NullPointerException.class);
        assertThat(ctx.components()).containsExactly(component);
    }

    private long[] drawsWithSeed(final long seed)
    {
        final long[] draws = new long[8];
        final Component drawer = (services) ->
        {
            for (int i = 0; i < draws.length; i++)
            {
                draws[i] = services.random().nextLong();
            }
        };
        try (Node ignore = Node.launch(invokerContext(1, network.newTransport()).randomSeed(seed)
            .addComponent(drawer)))
        {
            return draws;
        }
    }

    private NodeContext invokerContext(final int nodeId, final Transport transport)
    {
        return new NodeContext().nodeId(nodeId).transport(transport).epochClock(clock)
            .nanoClock(clock).useAgentInvoker(true);
    }

    /** Records its lifecycle callbacks into the test's event list. */
    private class Recorder implements Component
    {
        private final String name;

        Recorder(final String name)
        {
            this.name = name;
        }

        public void onStart(final NodeServices services)
        {
            events.add("start " + name);
        }

        public int doWork(final long nowMs)
        {
            events.add("work " + name);
            return 0;
        }

        public void onPeerAvailable(final int peer)
        {
            events.add("available " + peer + " " + name);
        }

        public void onPeerUnavailable(final int peer)
        {
            events.add("unavailable " + peer + " " + name);
        }

        public void onClose()
        {
            events.add("close " + name);
        }

        public String toString()
        {
            return name;
        }
    }
}
