package io.datacake.membership;

import io.datacake.node.Component;
import io.datacake.node.ComponentStartException;
import io.datacake.node.NodeServices;
import io.datacake.rpc.RpcService;
import io.datacake.sim.NetworkFaults;
import io.datacake.sim.RandomNetworkFaults;
import io.datacake.sim.Simulation;
import io.datacake.testing.SeededTrials;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Membership components on simulated nodes: joining through a seed, crash and restart, partitions, a stalled node
 * thread, unreachable seeds and configuration errors. Virtual time only; every wait is a condition with a generous
 * virtual deadline. The seed is printed and replayable with {@code -Ddatacake.sim.seed=<seed>}.
 */
final class MembershipComponentSimTest
{
    private static final long GOSSIP_INTERVAL_MS = 500;
    private static final long CONVERGE_MS = 60_000;
    private static final long DETECT_MS = 300_000;
    private static final long LEAVE_NOTICE_MS = 3 * GOSSIP_INTERVAL_MS;
    private static final long STALL_MS = 60_000;
    private static final String[] DATA_CENTRES = {"dc-a", "dc-b"};

    @Test
    void fiveNodesJoinedThroughOneSeedSeeFiveLiveMembersWithDataCentresAndEndpoints()
    {
        try (Cluster cluster = new Cluster(101, (ctx) -> {}))
        {
            cluster.startFive();
            assertThat(cluster.simulation.runUntil(() -> cluster.allSeeLive(5), CONVERGE_MS))
                .as("convergence, %s", cluster.hint()).isTrue();

            for (int nodeId = 1; nodeId <= 5; nodeId++)
            {
                final MembershipComponent component = cluster.component(nodeId);
                assertThat(component.memberCount()).isEqualTo(5);
                assertThat(component.liveCount()).isEqualTo(5);
                assertThat(component.seesAllLive(5)).isTrue();
                assertThat(component.seesAllLive(4)).as("one member more than asked for").isFalse();
                final List<ClusterMember> members = component.members();
                assertThat(members).extracting(ClusterMember::nodeId).containsExactly(1, 2, 3, 4, 5);
                for (final ClusterMember member : members)
                {
                    assertThat(member.live()).isTrue();
                    assertThat(member.endpoint()).isEqualTo("sim-" + member.nodeId());
                    assertThat(member.dataCentre()).isEqualTo(dataCentreOf(member.nodeId()));
                }
                final List<ClusterMember> visited = new ArrayList<>();
                component.forEachMember((id, dc, endpoint, generation, live) ->
                    visited.add(new ClusterMember(id, dc, endpoint, generation, live)));
                assertThat(visited).as("the view and the snapshot agree").isEqualTo(members);
                assertThat(component.localDataCentre()).isEqualTo(dataCentreOf(nodeId));
            }
        }
    }

    @Test
    void fiveNodesConvergeAndDetectACrashUnderLossDuplicationAndDelay()
    {
        try (Cluster cluster = new Cluster(112, (ctx) -> {}, (seed) -> new RandomNetworkFaults(seed, 0.1, 0.05, 1, 40)))
        {
            cluster.startFive();
            assertThat(cluster.simulation.runUntil(() -> cluster.allSeeLive(5), CONVERGE_MS))
                .as("convergence, %s", cluster.hint()).isTrue();
            cluster.simulation.crash(4);
            assertThat(cluster.simulation.runUntil(() -> cluster.othersSee(4, false), DETECT_MS))
                .as("crash detected, %s", cluster.hint()).isTrue();
            assertThat(cluster.sees(1, new int[]{2, 3, 5}, true)).as("no false accusation").isTrue();
            assertThat(cluster.component(1).seesAllLive(5)).as("a dead member among the five").isFalse();
        }
    }

    @Test
    void aCrashedNodeIsDeadEverywhereAndRejoinsLiveInANewGenerationAfterRestart()
    {
        try (Cluster cluster = new Cluster(102, (ctx) -> {}))
        {
            cluster.startFive();
            assertThat(cluster.simulation.runUntil(() -> cluster.allSeeLive(5), CONVERGE_MS)).isTrue();
            final long oldGeneration = cluster.generationSeenBy(1, 3);
            final long versionBefore = cluster.component(1).version();

            cluster.simulation.crash(3);
            assertThat(cluster.simulation.runUntil(() -> cluster.othersSee(3, false), DETECT_MS))
                .as("crash detected, %s", cluster.hint()).isTrue();
            for (final int observer : new int[]{1, 2, 4, 5})
            {
                assertThat(cluster.events(observer)).as("node %d events", observer).contains("dead 3");
                assertThat(cluster.component(observer).liveCount()).isEqualTo(4);
            }
            assertThat(cluster.component(1).version()).isGreaterThan(versionBefore);

            cluster.simulation.restart(3);
            assertThat(cluster.simulation.runUntil(
                () -> cluster.othersSee(3, true) && cluster.allSeeLive(5), CONVERGE_MS))
                .as("rejoin, %s", cluster.hint()).isTrue();
            for (final int observer : new int[]{1, 2, 4, 5})
            {
                assertThat(cluster.generationSeenBy(observer, 3)).isGreaterThan(oldGeneration);
                assertThat(cluster.events(observer)).contains("restarted 3");
            }
        }
    }

    @Test
    void aNodeThatRestartsBeforeItsCrashIsDetectedIsSeenInItsNewGenerationAsARestart()
    {
        try (Cluster cluster = new Cluster(114, (ctx) -> {}))
        {
            cluster.startFive();
            assertThat(cluster.simulation.runUntil(() -> cluster.allSeeLive(5), CONVERGE_MS)).isTrue();
            final long oldGeneration = cluster.generationSeenBy(1, 3);

            // Back within one gossip interval: no peer has found it silent yet.
            cluster.simulation.crash(3);
            cluster.simulation.runFor(GOSSIP_INTERVAL_MS / 2);
            cluster.simulation.restart(3);
            final long newGeneration = cluster.generationSeenBy(3, 3);
            assertThat(newGeneration).isGreaterThan(oldGeneration);
            assertThat(cluster.simulation.runUntil(() ->
            {
                for (final int observer : new int[]{1, 2, 4, 5})
                {
                    if (cluster.generationSeenBy(observer, 3) != newGeneration)
                    {
                        return false;
                    }
                }
                return cluster.allSeeLive(5);
            }, CONVERGE_MS)).as("every peer's view holds the new generation, %s", cluster.hint()).isTrue();
            for (final int observer : new int[]{1, 2, 4, 5})
            {
                assertThat(cluster.events(observer)).as("node %d events", observer).contains("restarted 3");
            }
        }
    }

    @Test
    void aNodeRestartedWithItsClockSteppedBackRejoinsInANewGeneration()
    {
        try (Cluster cluster = new Cluster(115, (ctx) -> {}))
        {
            cluster.startFive();
            assertThat(cluster.simulation.runUntil(() -> cluster.allSeeLive(5), CONVERGE_MS)).isTrue();
            final long oldGeneration = cluster.generationSeenBy(1, 3);

            // A clock fixed backwards (within any drift bound) between two starts of the node.
            cluster.simulation.crash(3);
            cluster.simulation.nodeClock(3).offsetMs(-5_000);
            cluster.simulation.restart(3);
            assertThat(cluster.generationSeenBy(3, 3)).isGreaterThan(oldGeneration);
            assertThat(cluster.simulation.runUntil(
                () -> cluster.othersSee(3, true) && cluster.allSeeLive(5) &&
                    cluster.generationSeenBy(1, 3) == cluster.generationSeenBy(3, 3), CONVERGE_MS))
                .as("rejoin, %s", cluster.hint()).isTrue();
        }
    }

    @Test
    void aNodeThatClosesCleanlyIsReportedLeftByEveryPeerAtOnceNeverDeadAndRejoinsAsARestart()
    {
        try (Cluster cluster = new Cluster(113, (ctx) -> {}))
        {
            cluster.startFive();
            assertThat(cluster.simulation.runUntil(() -> cluster.allSeeLive(5), CONVERGE_MS)).isTrue();

            cluster.simulation.closeNode(cluster.simulation.node(3));
            assertThat(cluster.simulation.runUntil(() -> cluster.othersForgot(3), LEAVE_NOTICE_MS))
                .as("leave seen within %d ms, %s", LEAVE_NOTICE_MS, cluster.hint()).isTrue();
            // Long past the failure detector's silence: the leave must stay a leave, not turn into a death.
            cluster.simulation.runFor(DETECT_MS);
            for (final int observer : new int[]{1, 2, 4, 5})
            {
                assertThat(cluster.events(observer)).as("node %d events", observer)
                    .containsOnlyOnce("left 3").doesNotContain("dead 3");
                assertThat(cluster.component(observer).liveCount()).isEqualTo(4);
                assertThat(cluster.component(observer).memberCount()).isEqualTo(4);
            }

            cluster.simulation.restart(3);
            assertThat(cluster.simulation.runUntil(() -> cluster.allSeeLive(5), CONVERGE_MS))
                .as("rejoin, %s", cluster.hint()).isTrue();
            for (final int observer : new int[]{1, 2, 4, 5})
            {
                assertThat(cluster.events(observer)).contains("restarted 3");
            }
        }
    }

    @Test
    void aLeaveWhoseDirectNoticesAreLostStillReachesEveryPeerByGossip()
    {
        final SwitchableDrop drop = new SwitchableDrop();
        try (Cluster cluster = new Cluster(114, (ctx) -> {}, (seed) -> drop))
        {
            cluster.startFive();
            assertThat(cluster.simulation.runUntil(() -> cluster.allSeeLive(5), CONVERGE_MS)).isTrue();

            // Only node 1 hears the leave; the others learn the marker from it (or each other) by gossip.
            drop.from = "sim-3";
            drop.except = "sim-1";
            cluster.simulation.closeNode(cluster.simulation.node(3));
            assertThat(cluster.simulation.runUntil(() -> cluster.othersForgot(3), CONVERGE_MS))
                .as("leave spread, %s", cluster.hint()).isTrue();
            for (final int observer : new int[]{1, 2, 4, 5})
            {
                assertThat(cluster.events(observer)).as("node %d events", observer)
                    .containsOnlyOnce("left 3").doesNotContain("dead 3");
            }
        }
    }

    @Test
    void aPartitionMakesEachSideSeeTheOtherDeadAndHealingRestoresIt()
    {
        try (Cluster cluster = new Cluster(103, (ctx) -> {}))
        {
            cluster.startFive();
            assertThat(cluster.simulation.runUntil(() -> cluster.allSeeLive(5), CONVERGE_MS)).isTrue();

            cluster.simulation.network().partition(List.of("sim-1", "sim-2"), List.of("sim-3", "sim-4", "sim-5"));
            assertThat(cluster.simulation.runUntil(() ->
                cluster.sees(1, new int[]{3, 4, 5}, false) && cluster.sees(2, new int[]{3, 4, 5}, false) &&
                cluster.sees(3, new int[]{1, 2}, false) && cluster.sees(4, new int[]{1, 2}, false) &&
                cluster.sees(5, new int[]{1, 2}, false), DETECT_MS)).as("split, %s", cluster.hint()).isTrue();
            assertThat(cluster.component(1).liveCount()).isEqualTo(2);
            assertThat(cluster.component(4).liveCount()).isEqualTo(3);

            cluster.simulation.network().heal();
            assertThat(cluster.simulation.runUntil(() -> cluster.allSeeLive(5), DETECT_MS))
                .as("healed, %s", cluster.hint()).isTrue();
            assertThat(cluster.events(1)).contains("revived 3");
            assertThat(cluster.events(3)).contains("revived 1");
        }
    }

    @Test
    void aStalledNodeDoesNotAccuseHealthyPeersWhenItResumes()
    {
        try (Cluster cluster = new Cluster(104, (ctx) -> {}))
        {
            assertThat(cluster.stallNodeTwo()).as("deaths reported by the stalled node").isEmpty();
            assertThat(cluster.component(2).stalls()).isPositive();
            assertThat(cluster.component(2).liveCount()).isEqualTo(5);
        }
    }

    @Test
    void withoutLocalHealthAStalledNodeAccusesHealthyPeers()
    {
        try (Cluster cluster = new Cluster(104, (ctx) -> ctx.localHealthMaxScore(0)))
        {
            assertThat(cluster.stallNodeTwo()).as("deaths reported by the stalled node")
                .contains("dead 1", "dead 3", "dead 4", "dead 5");
        }
    }

    @Test
    void anUnreachableSeedIsCountedAndRetriedWhileTheNodeGossipsWithTheOthers()
    {
        try (Cluster cluster = new Cluster(105, (ctx) -> {}))
        {
            cluster.add(1, (ctx) -> ctx.bootstrap(true));
            cluster.add(2, (ctx) -> ctx.seeds("sim-99", "sim-1"));
            cluster.add(3, (ctx) -> ctx.seeds("sim-1"));
            final MembershipComponent two = cluster.component(2);
            assertThat(cluster.simulation.runUntil(
                () -> cluster.allSeeLive(3) && two.isSeedUnreachable("sim-99"), CONVERGE_MS)).isTrue();
            assertThat(two.isSeedUnreachable("sim-1")).isFalse();
            final long unreachable = two.seedsUnreachable();
            assertThat(unreachable).isPositive();

            cluster.simulation.runFor(10_000);
            assertThat(two.seedsUnreachable()).as("still retried every round").isGreaterThan(unreachable);
            assertThat(two.liveCount()).isEqualTo(3);
        }
    }

    @Test
    void aFrameFromAnotherEndpointClaimingThisNodesIdIsDroppedAndCounted()
    {
        try (Cluster cluster = new Cluster(106, (ctx) -> {}))
        {
            cluster.add(1, (ctx) -> ctx.bootstrap(true));
            cluster.add(2, (ctx) -> ctx.seeds("sim-1"));
            // A second node 2 on another endpoint: the simulation knows it as node 22, but it claims id 2.
            cluster.simulation.addNode(22, (ctx) ->
            {
                ctx.nodeId(2);
                ctx.addComponent(new MembershipComponent(new MembershipContext().seeds("sim-2")));
            });
            assertThat(cluster.simulation.runUntil(() -> cluster.component(2).duplicateNodeIds() > 0, CONVERGE_MS))
                .isTrue();
            assertThat(cluster.component(2).members()).extracting(ClusterMember::endpoint)
                .as("the impostor never enters the view").doesNotContain("sim-22");
        }
    }

    @Test
    void aMemberDeadPastTheGracePeriodLeavesTheViewAndMovesItsVersion()
    {
        try (Cluster cluster = new Cluster(109, (ctx) -> ctx.deadGracePeriodMs(20_000)))
        {
            cluster.startFive();
            assertThat(cluster.simulation.runUntil(() -> cluster.allSeeLive(5), CONVERGE_MS)).isTrue();
            cluster.simulation.crash(5);
            assertThat(cluster.simulation.runUntil(() -> cluster.othersSee(5, false), DETECT_MS)).isTrue();
            final long versionAtDeath = cluster.component(1).version();

            assertThat(cluster.simulation.runUntil(() -> cluster.component(1).memberCount() == 4, DETECT_MS))
                .as("forgotten, %s", cluster.hint()).isTrue();
            assertThat(cluster.component(1).version()).isGreaterThan(versionAtDeath);
            assertThat(cluster.component(1).members()).extracting(ClusterMember::nodeId).containsExactly(1, 2, 3, 4);
            assertThat(cluster.events(1)).contains("left 5");
        }
    }

    @Test
    void malformedMessagesAreDroppedAndCountedWithoutChangingTheView()
    {
        try (Cluster cluster = new Cluster(110, (ctx) -> {}))
        {
            cluster.add(1, (ctx) -> ctx.bootstrap(true));
            cluster.add(2, (ctx) -> ctx.seeds("sim-1"));
            assertThat(cluster.simulation.runUntil(() -> cluster.allSeeLive(2), CONVERGE_MS)).isTrue();
            final MembershipComponent one = cluster.component(1);
            final long version = one.version();
            final List<ClusterMember> members = one.members();

            final byte[] noEndpoint = {};
            final byte[] endpointPastTheEnd = {(byte)0xFF, (byte)0x0F, 's'};
            final byte[] badGossipFrame = {5, 0, 's', 'i', 'm', '-', '9', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
            cluster.simulation.addNode(9, (ctx) -> ctx.addComponent(
                new RawSender("sim-1", noEndpoint, endpointPastTheEnd, badGossipFrame)));
            assertThat(cluster.simulation.runUntil(() -> one.malformedMessages() == 2 &&
                one.membership().droppedFrames(MalformedGossipException.Reason.BAD_MAGIC) == 1, CONVERGE_MS))
                .as("dropped and counted, %s", cluster.hint()).isTrue();
            cluster.simulation.runFor(2_000);
            assertThat(one.version()).isEqualTo(version);
            assertThat(one.members()).isEqualTo(members);
        }
    }

    @Test
    void configurationErrorsAreSpecific()
    {
        try (Cluster cluster = new Cluster(107, (ctx) -> {}))
        {
            assertThatThrownBy(() -> cluster.add(1, (ctx) -> {}))
                .isInstanceOf(ComponentStartException.class).rootCause()
                .hasMessageContaining("bootstrap(true)").hasMessageContaining("seeds(");
        }
        try (Cluster cluster = new Cluster(108, (ctx) -> {}))
        {
            assertThatThrownBy(() -> cluster.add(1, (ctx) -> ctx.seeds("")))
                .isInstanceOf(ComponentStartException.class).rootCause()
                .hasMessageContaining("seed endpoint");
        }
        try (Cluster cluster = new Cluster(111, (ctx) -> {}))
        {
            assertThatThrownBy(() -> cluster.add(1, (ctx) -> ctx.seeds("sim-\u00e9")))
                .isInstanceOf(ComponentStartException.class).rootCause()
                .hasMessageContaining("seed endpoint 'sim-\u00e9'");
        }
        assertThatThrownBy(() -> new MembershipContext().bootstrap(true).gossipIntervalMs(0).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gossipIntervalMs");
        assertThatThrownBy(() -> new MembershipContext().bootstrap(true).phiThreshold(-1).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("phi threshold");
        assertThatThrownBy(() -> new MembershipContext().bootstrap(true).dataCentre("").conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dataCentre");
        assertThatThrownBy(() -> new MembershipContext().bootstrap(true).maxFrameBytes(10).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxFrameBytes");
    }

    private static String dataCentreOf(final int nodeId)
    {
        return DATA_CENTRES[nodeId % DATA_CENTRES.length];
    }

    /** Simulated nodes each running a membership component, with the events each node's listener saw. */
    private static final class Cluster implements AutoCloseable
    {
        private final Simulation simulation;
        private final Consumer<MembershipContext> common;
        private final Map<Integer, MembershipComponent> components = new HashMap<>();
        private final Map<Integer, List<String>> events = new HashMap<>();
        private final Map<Integer, Long> monotonicJumpMsByNode = new HashMap<>();

        Cluster(final long defaultSeed, final Consumer<MembershipContext> common)
        {
            this(defaultSeed, common, (seed) -> NetworkFaults.NONE);
        }

        Cluster(
            final long defaultSeed,
            final Consumer<MembershipContext> common,
            final LongFunction<NetworkFaults> faults)
        {
            final long seed = SeededTrials.seed("MembershipComponentSimTest", defaultSeed);
            this.simulation = new Simulation(seed, faults.apply(seed));
            this.common = common;
        }

        void startFive()
        {
            add(1, (ctx) -> ctx.bootstrap(true));
            for (int nodeId = 2; nodeId <= 5; nodeId++)
            {
                add(nodeId, (ctx) -> ctx.seeds("sim-1"));
            }
        }

        void add(final int nodeId, final Consumer<MembershipContext> customizer)
        {
            simulation.addNode(nodeId, (nodeCtx) ->
            {
                final NanoClock monotonic = nodeCtx.nanoClock();
                nodeCtx.nanoClock(() -> monotonic.nanoTime() +
                    TimeUnit.MILLISECONDS.toNanos(monotonicJumpMsByNode.getOrDefault(nodeId, 0L)));
                final List<String> log = events.computeIfAbsent(nodeId, (id) -> new ArrayList<>());
                final MembershipContext ctx = new MembershipContext()
                    .dataCentre(dataCentreOf(nodeId))
                    .gossipIntervalMs(GOSSIP_INTERVAL_MS)
                    .listener(new Recorder(log));
                common.accept(ctx);
                customizer.accept(ctx);
                final MembershipComponent component = new MembershipComponent(ctx);
                components.put(nodeId, component);
                nodeCtx.addComponent(component);
            });
        }

        MembershipComponent component(final int nodeId)
        {
            return components.get(nodeId);
        }

        List<String> events(final int nodeId)
        {
            return events.get(nodeId);
        }

        boolean allSeeLive(final int count)
        {
            for (final Map.Entry<Integer, MembershipComponent> entry : components.entrySet())
            {
                if (null != simulation.node(entry.getKey()) &&
                    (entry.getValue().liveCount() != count || entry.getValue().memberCount() != count))
                {
                    return false;
                }
            }
            return true;
        }

        boolean othersSee(final int subject, final boolean live)
        {
            for (final Map.Entry<Integer, MembershipComponent> entry : components.entrySet())
            {
                if (entry.getKey() != subject && null != simulation.node(entry.getKey()) &&
                    !sees(entry.getKey(), new int[]{subject}, live))
                {
                    return false;
                }
            }
            return true;
        }

        boolean othersForgot(final int subject)
        {
            for (final Map.Entry<Integer, MembershipComponent> entry : components.entrySet())
            {
                if (entry.getKey() != subject && null != simulation.node(entry.getKey()) &&
                    entry.getValue().members().stream().anyMatch((m) -> m.nodeId() == subject))
                {
                    return false;
                }
            }
            return true;
        }

        boolean sees(final int observer, final int[] subjects, final boolean live)
        {
            final List<ClusterMember> members = component(observer).members();
            for (final int subject : subjects)
            {
                if (members.stream().noneMatch((m) -> m.nodeId() == subject && m.live() == live))
                {
                    return false;
                }
            }
            return true;
        }

        long generationSeenBy(final int observer, final int subject)
        {
            return component(observer).members().stream().filter((m) -> m.nodeId() == subject)
                .findFirst().orElseThrow().generation();
        }

        /**
         * Converge five nodes, then stall node 2: its monotonic clock jumps {@link #STALL_MS} at once, which is what
         * its duty cycle sees when it does not turn for that long (several detection times) while its peers keep
         * beating.
         * Run a few rounds and return the deaths node 2 reported after the stall.
         */
        List<String> stallNodeTwo()
        {
            startFive();
            assertThat(simulation.runUntil(() -> allSeeLive(5), CONVERGE_MS)).isTrue();
            simulation.runFor(20_000);
            assertThat(allSeeLive(5)).as("steady before the stall").isTrue();
            final int before = events(2).size();
            monotonicJumpMsByNode.merge(2, STALL_MS, Long::sum);
            simulation.runFor(5_000);
            final List<String> after = events(2).subList(before, events(2).size());
            return after.stream().filter((e) -> e.startsWith("dead")).toList();
        }

        String hint()
        {
            return simulation.replayHint();
        }

        public void close()
        {
            simulation.close();
        }
    }

    /** Sends raw bodies to the gossip service of one endpoint when its node starts. */
    private static final class RawSender implements Component
    {
        private final String target;
        private final byte[][] bodies;

        RawSender(final String target, final byte[]... bodies)
        {
            this.target = target;
            this.bodies = bodies;
        }

        public void onStart(final NodeServices services)
        {
            final int peer = services.rpc().resolvePeer(target);
            final int serviceId = RpcService.idOf(MembershipComponent.SERVICE_NAME);
            services.timers().scheduleAfter(10, (timerId, nowMs) ->
            {
                for (final byte[] body : bodies)
                {
                    services.rpc().send(peer, serviceId, GossipMessageType.SYN.code(),
                        new UnsafeBuffer(body), 0, body.length, null);
                }
            });
        }
    }

    /** Drops every frame one endpoint sends, except to one destination, once switched on. */
    private static final class SwitchableDrop implements NetworkFaults
    {
        private String from;
        private String except;

        public int copies(final String source, final String destination, final int length)
        {
            return source.equals(from) && !destination.equals(except) ? 0 : 1;
        }

        public long delayMs(final String source, final String destination)
        {
            return 0;
        }
    }

    /** Records listener events as short strings. */
    private static final class Recorder implements MembershipListener
    {
        private final List<String> log;

        Recorder(final List<String> log)
        {
            this.log = log;
        }

        public void onMemberJoined(final int nodeId, final long generation, final boolean restarted)
        {
            log.add((restarted ? "restarted " : "joined ") + nodeId);
        }

        public void onMemberDead(final int nodeId, final long generation)
        {
            log.add("dead " + nodeId);
        }

        public void onMemberRevived(final int nodeId, final long generation)
        {
            log.add("revived " + nodeId);
        }

        public void onMemberLeft(final int nodeId)
        {
            log.add("left " + nodeId);
        }
    }
}
