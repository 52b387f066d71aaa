package io.datacake.rpc;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.sim.SimClock;
import io.datacake.testing.SeededTrials;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.Transport;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests and one-way messages to one peer are dispatched there in the order they were sent, on a transport that
 * does not reorder: while the peer is not connected or back-pressured, while earlier requests to it wait, and
 * while an earlier request body to it is still streaming.
 * <p>
 * Nodes are stepped in the test thread on a simulated clock that only moves when a test moves it, so no deadline
 * passes by accident.
 */
final class PeerOrderTest
{
    /** Bound on duty-cycle rounds a test steps while waiting: far more than any scenario here needs. */
    private static final int MAX_ROUNDS = 20_000;
    private static final String ORDER = "order";
    private static final int CALL = 1;
    private static final int ONE_WAY = 2;
    private static final long LONG_TIMEOUT_MS = 600_000;

    private final SimClock clock = new SimClock();
    private final InProcessNetwork network = new InProcessNetwork();
    private final BackPressuringTransport clientTransport = new BackPressuringTransport(network.newTransport("client"));
    private final List<Node> nodes = new ArrayList<>();
    private Node client;

    @AfterEach
    void close()
    {
        for (final Node node : nodes)
        {
            node.close();
        }
    }

    @Test
    void fiveCallsToAPeerNotConnectedYetArriveInTheOrderTheyWereSent()
    {
        final List<Integer> arrived = new ArrayList<>();
        launchServer("server", arrived);
        launchClient(new NodeContext());
        clientTransport.refusal(Transport.NOT_CONNECTED).refuseAll(true);

        final List<CompletableFuture<RpcResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            calls.add(client.call("server", ORDER, CALL, sequenceBody(i, 4).byteArray(), null, LONG_TIMEOUT_MS));
        }
        step(5);
        assertThat(arrived).isEmpty();

        clientTransport.refuseAll(false);
        stepUntilDone(calls);

        assertThat(arrived).containsExactly(0, 1, 2, 3, 4);
        assertThat(client.counters().rpc().requestsQueued.get()).isEqualTo(5);
    }

    @Test
    void aMixedSequenceOfOneWaysCallsAndStreamedCallsArrivesInOrder()
    {
        final List<Integer> arrived = new ArrayList<>();
        launchServer("server", arrived);
        launchClient(new NodeContext());
        final int streamed = clientTransport.maxMessageLength() * 3;
        final int[] lengths = {4, 4, streamed, 4, 4, streamed, 4, 4};
        final boolean[] oneWay = {true, false, false, true, false, false, true, false};

        final CompletableFuture<List<CompletableFuture<?>>> issued = client.execute((s) ->
            issue(s.rpc(), s.rpc().resolvePeer("server"), 0, lengths, oneWay));
        stepUntilDone(List.of(issued));
        stepUntilDone(issued.join());
        stepUntilArrived(arrived, lengths.length);

        assertThat(arrived).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void aMixedSequenceArrivesInOrderWhenThePeerConnectsLate()
    {
        final List<Integer> arrived = new ArrayList<>();
        launchServer("server", arrived);
        launchClient(new NodeContext());
        clientTransport.refusal(Transport.NOT_CONNECTED).refuseNext(4);
        final int streamed = clientTransport.maxMessageLength() * 2 + 17;
        final int[] lengths = {4, streamed, 4, 4, streamed, 4};
        final boolean[] oneWay = {false, false, true, false, false, true};

        final CompletableFuture<List<CompletableFuture<?>>> issued = client.execute((s) ->
            issue(s.rpc(), s.rpc().resolvePeer("server"), 0, lengths, oneWay));
        stepUntilDone(List.of(issued));
        stepUntilDone(issued.join());
        stepUntilArrived(arrived, lengths.length);

        assertThat(arrived).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void aOneWayMessageQueuedBehindAnEarlierOneSaysSoAndTheBoundIsBackPressure()
    {
        final List<Integer> arrived = new ArrayList<>();
        launchServer("server", arrived);
        launchClient(new NodeContext().maxPendingRequests(16));
        clientTransport.refusal(Transport.NOT_CONNECTED).refuseAll(true);

        final CompletableFuture<long[]> results = client.execute((s) ->
        {
            final int peer = s.rpc().resolvePeer("server");
            final long[] out = new long[RpcContext.DEFAULT_MAX_QUEUED_REQUESTS_PER_PEER + 1];
            final UnsafeBuffer body = new UnsafeBuffer(new byte[4]);
            for (int i = 0; i < out.length; i++)
            {
                body.putInt(0, i, ByteOrder.LITTLE_ENDIAN);
                out[i] = s.rpc().send(peer, RpcService.idOf(ORDER), ONE_WAY, body, 0, 4, null);
            }
            return out;
        });
        step(1);
        final long[] out = results.join();
        for (int i = 0; i < out.length - 1; i++)
        {
            assertThat(out[i]).as("send %d", i).isEqualTo(Rpc.QUEUED);
        }
        assertThat(out[out.length - 1]).isEqualTo(Transport.BACK_PRESSURED);

        clientTransport.refuseAll(false);
        stepUntilArrived(arrived, out.length - 1);
        assertThat(arrived).hasSize(out.length - 1);
        for (int i = 0; i < arrived.size(); i++)
        {
            assertThat(arrived.get(i)).isEqualTo(i);
        }
    }

    @Test
    void randomizedSequencesToTwoPeersOverARefusingTransportArriveInOrderPerPeer()
    {
        final long seed = SeededTrials.seed("PeerOrderTest per-peer order over a refusing transport");
        final String replay = "seed " + seed + ", replay with -D" + SeededTrials.SEED_PROPERTY + "=" + seed;
        final SplittableRandom random = new SplittableRandom(seed);
        final List<Integer> arrivedA = new ArrayList<>();
        final List<Integer> arrivedB = new ArrayList<>();
        launchServer("a", arrivedA);
        launchServer("b", arrivedB);
        launchClient(new NodeContext());
        final int streamed = clientTransport.maxMessageLength() * 2 + 5;
        final List<Integer> sentA = new ArrayList<>();
        final List<Integer> sentB = new ArrayList<>();
        final List<CompletableFuture<?>> calls = new ArrayList<>();

        int sequence = 0;
        for (int batch = 0; batch < 40; batch++)
        {
            clientTransport.refusal(random.nextBoolean() ? Transport.NOT_CONNECTED : Transport.BACK_PRESSURED)
                .refuseRandomly(random, random.nextDouble() * 0.8);
            final int count = 1 + random.nextInt(6);
            final int[] lengths = new int[count];
            final boolean[] oneWay = new boolean[count];
            final boolean[] toA = new boolean[count];
            for (int i = 0; i < count; i++)
            {
                final int kind = random.nextInt(10);
                oneWay[i] = kind < 4;
                lengths[i] = kind == 9 ? streamed : 4;
                toA[i] = random.nextBoolean();
                (toA[i] ? sentA : sentB).add(sequence + i);
            }
            final int first = sequence;
            final CompletableFuture<List<CompletableFuture<?>>> issued = client.execute((s) ->
            {
                final int peerA = s.rpc().resolvePeer("a");
                final int peerB = s.rpc().resolvePeer("b");
                final List<CompletableFuture<?>> out = new ArrayList<>();
                for (int i = 0; i < count; i++)
                {
                    out.addAll(issue(s.rpc(), toA[i] ? peerA : peerB, first + i, new int[]{lengths[i]},
                        new boolean[]{oneWay[i]}));
                }
                return out;
            });
            sequence += count;
            step(1 + random.nextInt(4));
            assertThat(issued).as(replay).isDone();
            calls.addAll(issued.join());
        }
        clientTransport.refuseRandomly(random, 0);
        stepUntilDone(calls);
        for (int i = 0; i < MAX_ROUNDS && arrivedA.size() + arrivedB.size() < sequence; i++)
        {
            step(1);
        }

        assertThat(arrivedA).as(replay).containsExactlyElementsOf(sentA);
        assertThat(arrivedB).as(replay).containsExactlyElementsOf(sentB);
        for (final CompletableFuture<?> call : calls)
        {
            assertThat(call).as(replay).isCompleted();
        }
    }

    /**
     * Issue one request per length on the node thread: one-way messages or calls (streamed when longer than a
     * frame), numbered from {@code first}.
     */
    private static List<CompletableFuture<?>> issue(
        final Rpc rpc, final int peer, final int first, final int[] lengths, final boolean[] oneWay)
    {
        final List<CompletableFuture<?>> calls = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++)
        {
            final UnsafeBuffer body = sequenceBody(first + i, lengths[i]);
            if (oneWay[i])
            {
                final long result = rpc.send(peer, RpcService.idOf(ORDER), ONE_WAY, body, 0, lengths[i], null);
                assertThat(result).as("one-way %d", first + i).isPositive();
            }
            else
            {
                final CompletableFuture<Void> done = new CompletableFuture<>();
                rpc.call(peer, RpcService.idOf(ORDER), CALL, body, 0, lengths[i], null, LONG_TIMEOUT_MS,
                    new RpcResponseListener()
                    {
                        public void onResponse(
                            final long correlationId, final DirectBuffer buffer, final int offset, final int length)
                        {
                            done.complete(null);
                        }

                        public void onError(final long correlationId, final RpcError error, final String message)
                        {
                            done.completeExceptionally(new RpcException(error, message));
                        }
                    });
                calls.add(done);
            }
        }
        return calls;
    }

    private static UnsafeBuffer sequenceBody(final int sequence, final int length)
    {
        final UnsafeBuffer body = new UnsafeBuffer(new byte[length]);
        body.putInt(0, sequence, ByteOrder.LITTLE_ENDIAN);
        return body;
    }

    private void launchServer(final String endpoint, final List<Integer> arrived)
    {
        final RpcHandler record = (request, reply) ->
        {
            arrived.add(request.body().getInt(request.bodyOffset(), ByteOrder.LITTLE_ENDIAN));
            if (!request.isOneWay())
            {
                reply.sendEmpty();
            }
        };
        nodes.add(Node.launch(new NodeContext().nodeId(10 + nodes.size()).transport(network.newTransport(endpoint))
            .epochClock(clock).nanoClock(clock).useAgentInvoker(true)
            .addService(new RpcService(ORDER).handler(CALL, record).handler(ONE_WAY, record))));
    }

    private void launchClient(final NodeContext context)
    {
        client = Node.launch(context.nodeId(1).transport(clientTransport).epochClock(clock)
            .nanoClock(clock).useAgentInvoker(true));
        nodes.add(client);
    }

    private void step(final int rounds)
    {
        for (int i = 0; i < rounds; i++)
        {
            for (final Node node : nodes)
            {
                node.invoker().invoke();
            }
        }
    }

    private void stepUntilArrived(final List<Integer> arrived, final int count)
    {
        for (int i = 0; i < MAX_ROUNDS && arrived.size() < count; i++)
        {
            step(1);
        }
    }

    private void stepUntilDone(final List<? extends CompletableFuture<?>> futures)
    {
        for (int i = 0; i < MAX_ROUNDS; i++)
        {
            if (CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).isDone())
            {
                for (final CompletableFuture<?> future : futures)
                {
                    future.join();
                }
                return;
            }
            step(1);
        }
        throw new AssertionError("still pending after " + MAX_ROUNDS + " rounds\nclient:\n" + client.counters());
    }
}
