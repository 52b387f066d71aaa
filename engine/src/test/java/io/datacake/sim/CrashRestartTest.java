package io.datacake.sim;

import io.datacake.node.Duty;
import io.datacake.node.Node;
import io.datacake.rpc.RpcError;
import io.datacake.rpc.RpcReply;
import io.datacake.rpc.RpcResponse;
import io.datacake.rpc.RpcService;
import io.datacake.rpc.SimScenarioSupport;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A crash drops a node's volatile state without closing it; a restart brings a new incarnation of the same node id
 * on the same storage.
 */
@ExtendWith(ReplayOnFailure.class)
final class CrashRestartTest
{
    private static final long AWAIT_MS = 20_000;

    @Test
    void aCrashedNodeRunsNoCallbackTimerOrCloseAndSendsNothing(@ReplaySeed(31) final long seed)
    {
        try (Simulation simulation = new Simulation(seed))
        {
            final Victim victim = new Victim(simulation);
            final long framesAtPeer = victim.peer.counters().rpc().framesIn.get();
            simulation.crash(victim.node);
            simulation.runFor(5_000);

            assertThat(victim.firedTimers).as("timers of a crashed node never fire").isEmpty();
            assertThat(victim.closedDuties).as("a crash closes nothing").isZero();
            assertThat(victim.pendingCall).as("no NODE_CLOSED or timeout callback").isNotDone();
            assertThat(victim.peer.counters().rpc().framesIn.get()).as("no goodbye frames").isEqualTo(framesAtPeer);
            assertThat(simulation.node(1)).isNull();
            assertThat(simulation.nodes()).containsExactly(victim.peer);
            assertThatThrownBy(() -> simulation.crash(1)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> simulation.closeNode(victim.node)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("crashed incarnation");
            assertThat(victim.closedDuties).isZero();
        }
    }

    @Test
    void aCleanCloseInsteadFailsPendingCallsAndClosesDuties(@ReplaySeed(31) final long seed)
    {
        try (Simulation simulation = new Simulation(seed))
        {
            final Victim victim = new Victim(simulation);
            simulation.closeNode(victim.node);
            assertThat(victim.closedDuties).isEqualTo(1);
            assertThat(victim.pendingCall).isCompletedExceptionally();
            assertThat(SimScenarioSupport.errorOf(victim.pendingCall)).isEqualTo(RpcError.NODE_CLOSED);
        }
    }

    @Test
    void framesInFlightToACrashedNodeAreLostEvenIfItRestartsBeforeTheyArrive(@ReplaySeed(32) final long seed)
    {
        try (Simulation simulation = new Simulation(seed, new RandomNetworkFaults(seed, 0, 0, 20, 20)))
        {
            final Map<Long, Integer> requestsByIncarnation = new HashMap<>();
            simulation.addNode(1, (ctx) -> ctx.addService(new RpcService("count").handler(1, (request, reply) ->
            {
                requestsByIncarnation.merge(ctx.incarnation(), 1, Integer::sum);
                reply.sendEmpty();
            })));
            final Node client = simulation.addNode(2);
            final CompletableFuture<RpcResponse> lost = client.call("sim-1", "count", 1, new byte[0], null, 500);
            simulation.runFor(5);
            assertThat(simulation.network().inFlightCount()).isEqualTo(1);

            simulation.crash(1);
            final Node restarted = simulation.restart(1);
            assertThat(simulation.await(lost, AWAIT_MS)).isCompletedExceptionally();
            assertThat(SimScenarioSupport.errorOf(lost)).isEqualTo(RpcError.TIMEOUT);
            assertThat(requestsByIncarnation).as("the frame for incarnation 1 never reached incarnation 2")
                .isEmpty();
            assertThat(restarted.counters().rpc().requestsReceived.get()).isZero();

            final var delivered = simulation.await(client.call("sim-1", "count", 1, new byte[0], null, 500), AWAIT_MS);
            assertThat(delivered).isCompleted();
            assertThat(requestsByIncarnation).containsExactly(Map.entry(2L, 1));
        }
    }

    @Test
    void aRestartedNodeIsANewIncarnationOnItsStorageWithExactlyTheDurableWrites(@ReplaySeed(33) final long seed)
    {
        final StorageFaults slowDisk = new StorageFaults()
        {
            public boolean failsCommit(final String storageName, final int operationCount)
            {
                return false;
            }

            public long syncDelayMs(final String storageName, final int operationCount)
            {
                return 50;
            }
        };
        try (Simulation simulation = new Simulation(seed, NetworkFaults.NONE, slowDisk))
        {
            final DurableKv.Cluster cluster = new DurableKv.Cluster(simulation, (ctx) -> ctx.requestTimeoutMs(500));
            final Node client = cluster.add(1);
            cluster.add(2);

            assertThat(simulation.await(put(client, 1, 11), AWAIT_MS)).as("acknowledged once durable").isCompleted();
            final CompletableFuture<RpcResponse> notDurable = put(client, 2, 22);
            simulation.runFor(10);
            assertThat(simulation.storage(2).get(DurableKv.KEYSPACE, 2)).as("committed").isNotNull();
            assertThat(notDurable).isNotDone();

            assertThat(simulation.crash(2)).as("commits lost").isEqualTo(1);
            final Node restarted = cluster.restart(2);
            assertThat(simulation.incarnation(2)).isEqualTo(2);
            assertThat(simulation.await(restarted.execute((s) -> s.incarnation()), AWAIT_MS).join()).isEqualTo(2L);
            assertThat(simulation.storage(2).get(DurableKv.KEYSPACE, 1).value()).containsExactly(11);
            assertThat(simulation.storage(2).get(DurableKv.KEYSPACE, 2)).isNull();
            assertThat(SimScenarioSupport.errorOf(simulation.await(notDurable, AWAIT_MS)))
                .as("never acknowledged").isEqualTo(RpcError.TIMEOUT);

            assertThat(simulation.await(put(client, 3, 33), AWAIT_MS)).isCompleted();
            assertThat(simulation.storage(2).get(DurableKv.KEYSPACE, 3).value()).containsExactly(33);
        }
    }

    @Test
    void restartIsOnlyForAStoppedNodeAndCrashOnlyForARunningOne(@ReplaySeed(34) final long seed)
    {
        try (Simulation simulation = new Simulation(seed))
        {
            final List<Throwable> errors = new ArrayList<>();
            final Node node = simulation.addNode(1, (ctx) -> ctx.errorHandler(errors::add));
            assertThatThrownBy(() -> simulation.restart(1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("running");
            assertThatThrownBy(() -> simulation.addNode(1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("restart(1)");
            assertThatThrownBy(() -> simulation.restart(9)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> simulation.addNode(9, (ctx) -> ctx.incarnation(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("incarnation must not be negative");
            assertThat(simulation.addNode(9)).as("a failed launch leaves the id free").isNotNull();
            simulation.closeNode(node);
            final Node second = simulation.restart(1);
            assertThat(simulation.incarnation(1)).isEqualTo(2);
            assertThatThrownBy(() -> simulation.crash(node)).isInstanceOf(IllegalStateException.class);
            second.submit((s) -> simulation.crash(1));
            simulation.step();
            assertThat(simulation.node(1)).as("a crash from inside a step is refused").isSameAs(second);
            assertThat(errors).singleElement().asString().contains("from inside a step");
        }
    }

    @Test
    void thousandsOfCrashesLeaveNoIncarnationReachable(@ReplaySeed(35) final long seed)
    {
        final int cycles = 2_000;
        try (Simulation simulation = new Simulation(seed, new RandomNetworkFaults(seed, 0, 0, 1, 5)))
        {
            final Node client = simulation.addNode(1, (ctx) -> ctx.connectTimeoutMs(50).requestTimeoutMs(100));
            simulation.addNode(2, (ctx) -> ctx.addService(SimScenarioSupport.echo()));
            final List<WeakReference<Node>> crashed = new ArrayList<>();
            int answered = 0;
            for (int i = 0; i < cycles; i++)
            {
                final Node server = simulation.node(2);
                final var call = client.call(server.endpoint(), "echo", 1, new byte[64], null, 100);
                server.submit((s) -> s.timers().scheduleAfter(1_000, (id, now) -> { }));
                simulation.runFor(simulation.random().nextInt(8));
                answered += call.isDone() && !call.isCompletedExceptionally() ? 1 : 0;
                crashed.add(new WeakReference<>(server));
                simulation.crash(2);
                simulation.restart(2);
            }
            simulation.runFor(1_000);

            assertThat(answered).as("some calls were answered before their server crashed").isPositive();
            assertThat(simulation.incarnation(2)).isEqualTo(cycles + 1);
            assertThat(simulation.nodes()).hasSize(2);
            assertThat(simulation.network().endpoints()).containsExactlyInAnyOrder("sim-1", "sim-2");
            assertThat(simulation.network().inFlightCount()).isZero();
            assertThat(simulation.storage(2).crashCount()).isEqualTo(cycles);

            // Nothing the simulation holds reaches a crashed incarnation, so its counters' direct buffers are freed
            // with it. A full collection clears every weak reference to an unreachable object.
            for (int i = 0; i < 10 && crashed.stream().anyMatch((ref) -> null != ref.get()); i++)
            {
                System.gc();
            }
            assertThat(crashed.stream().filter((ref) -> null != ref.get()).count())
                .as("crashed incarnations still reachable").isZero();
        }
    }

    private static CompletableFuture<RpcResponse> put(final Node client, final long key, final int value)
    {
        final UnsafeBuffer body = new UnsafeBuffer(new byte[9]);
        body.putLong(0, key);
        body.putByte(8, (byte)value);
        return client.call("sim-2", DurableKv.SERVICE, DurableKv.PUT, body.byteArray(), null, 0);
    }

    /**
     * Node 1 with a pending call to node 2 (which never answers), a timer, and a duty that notes its close.
     */
    private static final class Victim
    {
        final Node node;
        final Node peer;
        final CompletableFuture<RpcResponse> pendingCall;
        final List<Long> firedTimers = new ArrayList<>();
        final List<RpcReply> heldReplies = new ArrayList<>();
        int closedDuties;

        Victim(final Simulation simulation)
        {
            node = simulation.addNode(1);
            peer = simulation.addNode(2, (ctx) -> ctx.addService(new RpcService("hold")
                .handler(1, (request, reply) -> heldReplies.add(reply.defer()))));
            pendingCall = node.call(peer.endpoint(), "hold", 1, new byte[]{1}, null, 1_000);
            node.submit((s) -> s.timers().scheduleAfter(100, (id, nowMs) -> firedTimers.add(nowMs)));
            node.submit((s) -> s.addDuty(new Duty()
            {
                public int doWork(final long nowMs)
                {
                    return 0;
                }

                public void onClose()
                {
                    closedDuties++;
                }
            }));
            simulation.runFor(10);
            assertThat(heldReplies).as("the call reached the peer").hasSize(1);
        }
    }
}
