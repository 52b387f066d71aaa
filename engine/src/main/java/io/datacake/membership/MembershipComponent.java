package io.datacake.membership;

import io.datacake.node.Component;
import io.datacake.node.NodeServices;
import io.datacake.node.TimerListener;
import io.datacake.rpc.Rpc;
import io.datacake.rpc.RpcReply;
import io.datacake.rpc.RpcRequest;
import io.datacake.rpc.RpcService;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Cluster membership as a node component: scuttlebutt gossip over RPC one-way messages, phi-accrual failure
 * detection scaled by local health, and the resulting {@link ClusterView}.
 * <p>
 * Every gossip interval (a node timer) the component beats, reclassifies members, and sends a SYN to a few peers
 * and to every seed endpoint whose node is not known yet. Peers answer SYN with SYN_ACK and SYN_ACK with ACK, each
 * a one-way message of the {@value #SERVICE_NAME} service sent to the endpoint the sender put in the message
 * (resolved once, then cached by node id). Each node publishes its data centre and endpoint under
 * {@link #DATA_CENTRE_KEY} and {@link #ENDPOINT_KEY} in its gossip state, so every member learns how to reach every
 * other.
 * <p>
 * Message body: {@code uint16} sender endpoint length (little-endian), the endpoint in US-ASCII, then one frame of the
 * gossip codec (see the package documentation).
 * <p>
 * Local health: a gap between duty-cycle turns longer than the stall threshold, and a round in which SYNs to live
 * peers expired without SYN_ACK while no SYN_ACK at all arrived for a whole SYN timeout, raise
 * {@link LocalHealth}; answered SYNs and on-time rounds lower it. A node that was stalled or cut off therefore judges
 * its peers leniently until fresh gossip has arrived; a stall is also discounted from every member's silence
 * ({@link FailureDetector#onLocalPause}), since the node could not hear heartbeats while it was stalled. Both are
 * off when the local health bound is 0. A SYN lost now and then is not evidence against this node: on
 * a network losing a third of its frames or more, counting each one raised the score faster than answers lowered
 * it, and the saturated score slowed the detection of real crashes about ninefold.
 * <p>
 * {@link ClusterView} and the other accessors are for the node thread; {@link #members()} is the snapshot for any
 * thread.
 */
public final class MembershipComponent implements Component, ClusterView
{
    /** The RPC service name gossip uses. */
    public static final String SERVICE_NAME = "datacake.gossip";

    /** Gossip state key under which each node publishes its data centre. */
    public static final String DATA_CENTRE_KEY = "datacake.data_centre";

    /** Gossip state key under which each node publishes its endpoint. */
    public static final String ENDPOINT_KEY = "datacake.endpoint";

    /** Length of the endpoint length field that opens every message. */
    static final int ENDPOINT_LENGTH_FIELD = 2;

    private static final System.Logger LOGGER = System.getLogger(MembershipComponent.class.getName());
    private static final long NO_TURN = Long.MIN_VALUE;
    private static final int UNKNOWN_NODE = -1;
    private static final long DUPLICATE_LOG_EVERY = 1024;

    /**
     * Most live peers told directly that this node leaves when it closes; the others learn it by gossip from them.
     */
    public static final int MAX_LEAVE_NOTICES = 128;

    private final MembershipContext ctx;
    private final Events events = new Events();
    private final TimerListener gossipTimer = this::onGossipTimer;
    private final Int2ObjectHashMap<Peer> peers = new Int2ObjectHashMap<>();
    private final Long2LongHashMap synSentMs = new Long2LongHashMap(Long.MIN_VALUE);
    private final Consumer<NodeState> seedFinder = this::findSeed;
    private Seed seedSought;
    private boolean seedFound;
    private NodeServices services;
    private Rpc rpc;
    private int serviceId;
    private int localNodeId;
    private String localEndpoint;
    private byte[] localEndpointBytes;
    private Membership membership;
    private volatile MemberTable table;
    private Seed[] seeds;
    private int[] knownSeedIds;
    private volatile int seedsHeard;
    private long startedMs;
    private int[] targets;
    private UnsafeBuffer sendBuffer;
    private UnsafeBuffer replyBuffer;
    private int frameOffset;
    private int frameBudget;
    private long lastTurnMs = NO_TURN;
    private long lastSynAckMs = NO_TURN;
    private long gossipTimerId = -1;
    private boolean closed;
    private AtomicCounter seedsUnreachable;
    private AtomicCounter duplicateNodeIds;
    private AtomicCounter malformedMessages;
    private AtomicCounter sendFailures;
    private AtomicCounter synsUnanswered;
    private AtomicCounter stalls;

    /**
     * @param ctx the settings; checked when the component starts.
     */
    public MembershipComponent(final MembershipContext ctx)
    {
        this.ctx = ctx;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if a setting is out of range, a seed endpoint is malformed for the transport
     *                                  (the message names it), or the transport's frames are too small for gossip.
     * @throws IllegalStateException    if there are no seeds and the node is not marked as the first node.
     */
    public void onStart(final NodeServices services)
    {
        ctx.conclude();
        this.services = services;
        this.rpc = services.rpc();
        this.localNodeId = services.nodeId();
        this.localEndpoint = null != ctx.publicEndpoint() ? ctx.publicEndpoint() : rpc.localEndpoint();
        this.localEndpointBytes = endpointBytes(localEndpoint, "public endpoint");

        final int maxBody = Math.min(ctx.maxFrameBytes() + ENDPOINT_LENGTH_FIELD + localEndpointBytes.length,
            rpc.maxOneWayBodyLength());
        this.frameOffset = ENDPOINT_LENGTH_FIELD + localEndpointBytes.length;
        this.frameBudget = maxBody - frameOffset;
        if (frameBudget < MembershipContext.MIN_FRAME_BYTES)
        {
            throw new IllegalArgumentException("the transport's frames leave " + frameBudget + " bytes for gossip " +
                "after the RPC fields and the endpoint '" + localEndpoint + "'; at least " +
                MembershipContext.MIN_FRAME_BYTES + " are needed: raise the transport's max message length");
        }
        this.sendBuffer = newBodyBuffer(maxBody);
        this.replyBuffer = newBodyBuffer(maxBody);

        final List<String> seedEndpoints = ctx.seeds();
        int seedCount = 0;
        final Seed[] resolved = new Seed[seedEndpoints.size()];
        for (final String endpoint : seedEndpoints)
        {
            if (endpoint.equals(localEndpoint))
            {
                continue;
            }
            final byte[] bytes = endpointBytes(endpoint, "seed endpoint");
            final int handle;
            try
            {
                handle = rpc.resolvePeer(endpoint);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("seed endpoint '" + endpoint + "' is not valid for this " +
                    "transport: " + ex.getMessage(), ex);
            }
            resolved[seedCount++] = new Seed(endpoint, bytes, handle);
        }
        this.seeds = Arrays.copyOf(resolved, seedCount);
        this.knownSeedIds = new int[Math.max(1, seedCount)];
        this.startedMs = services.monotonicMs();

        final long generation = MembershipContext.DERIVED_GENERATION != ctx.generation() ?
            ctx.generation() : derivedGeneration(services.incarnation(), services.epochMs());
        final FailureDetector detector = new FailureDetector(ctx.phiThreshold(), ctx.samplingWindow(),
            ctx.maxIntervalMs(), ctx.initialIntervalMs(), ctx.deadGracePeriodMs());
        final LocalHealth health = new LocalHealth(
            ctx.localHealthMaxScore(), ctx.gossipIntervalMs(), LocalHealth.DEFAULT_HEALTHY_TICKS_TO_DECAY);
        final GossipTargets gossipTargets = new GossipTargets(ctx.liveFanout());
        this.targets = new int[gossipTargets.maxTargets()];
        this.membership = new Membership(
            localNodeId, generation, detector, health, gossipTargets, ctx.tombstoneGracePeriodMs(), events);
        membership.state().set(DATA_CENTRE_KEY, ctx.dataCentre());
        membership.state().set(ENDPOINT_KEY, localEndpoint);
        this.table = new MemberTable(localNodeId);
        table.upsert(localNodeId, generation, ctx.dataCentre(), localEndpoint);
        table.publish();

        seedsUnreachable = services.counters().newCounter("membership seeds unreachable");
        duplicateNodeIds = services.counters().newCounter("membership duplicate node id frames");
        malformedMessages = services.counters().newCounter("membership malformed messages");
        sendFailures = services.counters().newCounter("membership send failures");
        synsUnanswered = services.counters().newCounter("membership SYNs unanswered");
        stalls = services.counters().newCounter("membership duty-cycle stalls");

        final RpcService service = new RpcService(SERVICE_NAME);
        this.serviceId = service.id();
        service.handler(GossipMessageType.SYN.code(), this::onMessage);
        service.handler(GossipMessageType.SYN_ACK.code(), this::onMessage);
        service.handler(GossipMessageType.ACK.code(), this::onMessage);
        services.addService(service);
        gossipTimerId = services.timers().scheduleAfter(0, gossipTimer);
    }

    /**
     * {@inheritDoc}
     */
    public int doWork(final long nowMs)
    {
        checkStall(nowMs);
        return 0;
    }

    /**
     * Announce this node's leave, best effort and without waiting: mark it in this node's gossiped state and send one
     * unsolicited ACK carrying the marker to up to {@value #MAX_LEAVE_NOTICES} live peers, so that they report this
     * node left at once rather than dead after the failure detector's silence. Then stop gossiping.
     */
    public void onClose()
    {
        if (!closed && null != membership)
        {
            announceLeave();
        }
        closed = true;
        if (null != services && -1 != gossipTimerId)
        {
            services.timers().cancel(gossipTimerId);
        }
    }

    /**
     * The generation of {@link MembershipContext#DERIVED_GENERATION}: the incarnation when the host counts them, as
     * it then grows across restarts whatever the clock does; otherwise the start time in milliseconds shifted left
     * 16 bits, which a clock set back between two starts can lower.
     */
    static long derivedGeneration(final long incarnation, final long nowMs)
    {
        return incarnation > 0 ? incarnation : nowMs << 16;
    }

    /**
     * {@inheritDoc}
     */
    public int localNodeId()
    {
        return localNodeId;
    }

    /**
     * {@inheritDoc}
     */
    public String localDataCentre()
    {
        return ctx.dataCentre();
    }

    /**
     * Complete once every seed other than this node has been heard since this component started, a seed counting as
     * heard once the gossip round after one of these:
     * <ul>
     *   <li>it answered an exchange (a SYN_ACK or ACK from it was applied): this node then holds what it knew;</li>
     *   <li>another member told this node of it (a member publishing the seed's endpoint is in the gossip state):
     *   the members it knew spread through that same gossip, so a seed that is down, or gone, but known to the
     *   members that answered holds nothing back;</li>
     *   <li>{@link MembershipContext#seedWaitMs(long)} passed since the start without either (a seed gone for good
     *   and forgotten by every member): the node then takes the list it has as complete and logs a warning.</li>
     * </ul>
     * The member list holds, by then, every member the heard seeds knew of. What waits for completeness: the store's
     * count-based consistency levels and its tombstone purge.
     *
     * @return true once every seed is heard.
     */
    @Override
    public boolean isComplete()
    {
        return seedsHeard == seeds.length;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int seedCount()
    {
        return seeds.length;
    }

    /**
     * {@inheritDoc} Readable from any thread.
     */
    @Override
    public int seedsHeard()
    {
        return seedsHeard;
    }

    /**
     * {@inheritDoc}
     */
    public long version()
    {
        return table.version();
    }

    /**
     * {@inheritDoc}
     */
    public int memberCount()
    {
        return table.memberCount();
    }

    /**
     * {@inheritDoc}
     */
    public int liveCount()
    {
        return table.liveCount();
    }

    /**
     * {@inheritDoc}
     */
    public void forEachMember(final MemberVisitor visitor)
    {
        table.forEach(visitor);
    }

    /**
     * The members as of the last change, for any thread: an immutable list in ascending node id order, this node
     * included, published after each change the node thread made. Empty before the component starts.
     *
     * @return the snapshot.
     */
    public List<ClusterMember> members()
    {
        final MemberTable current = table;
        return null == current ? List.of() : current.snapshot();
    }

    /**
     * Whether the snapshot of {@link #members()} holds exactly this many members, every one live, and the view is
     * {@link #isComplete() complete}: the wait of a caller that starts a cluster of known size and needs it formed,
     * ready for every consistency level. For any thread.
     *
     * @param clusterSize how many members the cluster has, this node included.
     * @return true if this node sees exactly that many, all live, and has heard every seed.
     */
    public boolean seesAllLive(final int clusterSize)
    {
        final List<ClusterMember> snapshot = members();
        if (snapshot.size() != clusterSize || !isComplete())
        {
            return false;
        }
        for (final ClusterMember member : snapshot)
        {
            if (!member.live())
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The membership core, for writing this node's own keys and for diagnostics. Node thread only.
     *
     * @return the membership.
     */
    public Membership membership()
    {
        return membership;
    }

    /**
     * The endpoint this node publishes.
     *
     * @return the endpoint.
     */
    public String localEndpoint()
    {
        return localEndpoint;
    }

    /**
     * How many times a SYN to a seed whose node is not known yet went unanswered for the SYN timeout (a seed whose
     * node is known is watched by the failure detector instead). Counters may be read from any thread.
     *
     * @return the count.
     */
    public long seedsUnreachable()
    {
        return seedsUnreachable.get();
    }

    /**
     * @return how many frames claiming this node's id came from another endpoint.
     */
    public long duplicateNodeIds()
    {
        return duplicateNodeIds.get();
    }

    /**
     * @return how many messages were dropped because their envelope was malformed.
     */
    public long malformedMessages()
    {
        return malformedMessages.get();
    }

    /**
     * @return how many sends the RPC layer refused.
     */
    public long sendFailures()
    {
        return sendFailures.get();
    }

    /**
     * @return how many SYNs to live peers got no SYN_ACK within the timeout.
     */
    public long synsUnanswered()
    {
        return synsUnanswered.get();
    }

    /**
     * @return how many duty-cycle stalls were seen.
     */
    public long stalls()
    {
        return stalls.get();
    }

    /**
     * Whether a seed is failing. Node thread only.
     *
     * @param endpoint a seed endpoint as configured.
     * @return true if SYNs to it are currently unanswered (it failed and has not answered since).
     * @throws IllegalArgumentException if it is not a seed of this node.
     */
    public boolean isSeedUnreachable(final String endpoint)
    {
        for (final Seed seed : seeds)
        {
            if (seed.endpoint.equals(endpoint))
            {
                return seed.failing;
            }
        }
        throw new IllegalArgumentException("'" + endpoint + "' is not a seed of node " + localNodeId);
    }

    private void onGossipTimer(final long timerId, final long nowMs)
    {
        if (closed)
        {
            return;
        }
        checkStall(nowMs);
        expireSyns(nowMs);
        membership.onGossipRound(nowMs);
        if (seedsHeard < seeds.length)
        {
            // After the round's update, which puts the members learned since the last round in the table.
            noteSeedsHeard(nowMs);
        }

        final int synLength = membership.encodeSyn(sendBuffer, frameOffset, frameBudget);
        final int bodyLength = frameOffset + synLength;
        int knownSeeds = 0;
        for (final Seed seed : seeds)
        {
            if (UNKNOWN_NODE != seed.nodeId)
            {
                knownSeedIds[knownSeeds++] = seed.nodeId;
            }
            else
            {
                sendSynToSeed(seed, nowMs, bodyLength);
            }
        }
        final int count = membership.selectTargets(knownSeedIds, knownSeeds, services.random(), targets);
        for (int i = 0; i < count; i++)
        {
            final int nodeId = targets[i];
            final Peer peer = peerOf(nodeId);
            if (null != peer)
            {
                send(peer.handle, GossipMessageType.SYN, sendBuffer, bodyLength);
                if (membership.detector().isLive(nodeId) && synSentMs.get(nodeId) == Long.MIN_VALUE &&
                    synSentMs.size() < ctx.maxCachedPeers())
                {
                    synSentMs.put(nodeId, nowMs);
                }
            }
        }
        table.publish();
        gossipTimerId = services.timers().scheduleAfter(ctx.gossipIntervalMs(), gossipTimer);
    }

    private void announceLeave()
    {
        membership.leave();
        final int bodyLength = frameOffset + membership.encodeLeave(sendBuffer, frameOffset, frameBudget);
        final int[] live = new int[Math.min(MAX_LEAVE_NOTICES, membership.detector().liveCount())];
        final int count = membership.detector().liveNodes(live);
        for (int i = 0; i < count; i++)
        {
            final Peer peer = peerOf(live[i]);
            if (null != peer)
            {
                send(peer.handle, GossipMessageType.ACK, sendBuffer, bodyLength);
            }
        }
    }

    private void sendSynToSeed(final Seed seed, final long nowMs, final int bodyLength)
    {
        if (Long.MIN_VALUE == seed.pendingSinceMs)
        {
            seed.pendingSinceMs = nowMs;
        }
        else if (nowMs - seed.pendingSinceMs >= ctx.synTimeoutMs())
        {
            seedsUnreachable.increment();
            seed.pendingSinceMs = nowMs;
            if (!seed.failing)
            {
                seed.failing = true;
                LOGGER.log(System.Logger.Level.WARNING, "node " + localNodeId + ": seed " + seed.endpoint +
                    " did not answer within " + ctx.synTimeoutMs() + " ms; retrying every round");
            }
        }
        send(seed.handle, GossipMessageType.SYN, sendBuffer, bodyLength);
    }

    private void noteSeedsHeard(final long nowMs)
    {
        final boolean waitOver = nowMs - startedMs >= ctx.seedWaitMs();
        for (final Seed seed : seeds)
        {
            if (seed.heard)
            {
                continue;
            }
            if (seed.answered || isKnownThroughGossip(seed))
            {
                seed.heard = true;
                seedsHeard++;
            }
            else if (waitOver)
            {
                seed.heard = true;
                seedsHeard++;
                LOGGER.log(System.Logger.Level.WARNING, "node " + localNodeId + ": seed " + seed.endpoint +
                    " neither answered nor is known to any member " + ctx.seedWaitMs() + " ms after the start; " +
                    "counting it as heard (remove it from the seeds if it is gone for good)");
            }
        }
    }

    private boolean isKnownThroughGossip(final Seed seed)
    {
        seedSought = seed;
        seedFound = false;
        membership.state().forEachNode(seedFinder);
        seedSought = null;
        return seedFound;
    }

    private void findSeed(final NodeState node)
    {
        if (!seedFound && node.nodeId() != localNodeId && seedSought.endpoint.equals(node.stringValue(ENDPOINT_KEY)))
        {
            seedFound = true;
        }
    }

    private void expireSyns(final long nowMs)
    {
        int expired = 0;
        for (final Long2LongHashMap.EntryIterator it = synSentMs.entrySet().iterator(); it.hasNext(); )
        {
            it.next();
            if (nowMs - it.getLongValue() >= ctx.synTimeoutMs())
            {
                it.remove();
                synsUnanswered.increment();
                expired++;
            }
        }
        // One piece of evidence per round, and only if no peer at all answered for a whole SYN timeout: a lossy
        // network leaves some SYNs unanswered every round, a node cut off or falling behind leaves them all.
        if (expired > 0 && (NO_TURN == lastSynAckMs || nowMs - lastSynAckMs >= ctx.synTimeoutMs()))
        {
            membership.health().onProbeUnanswered();
        }
    }

    private void checkStall(final long nowMs)
    {
        if (NO_TURN != lastTurnMs && nowMs - lastTurnMs > ctx.stallThresholdMs())
        {
            stalls.increment();
            membership.health().onStall(nowMs - lastTurnMs);
            if (ctx.localHealthMaxScore() > 0)
            {
                // Beyond doubting itself, a node that could not listen discounts the stall from every silence.
                membership.detector().onLocalPause(nowMs - lastTurnMs - ctx.gossipIntervalMs(), nowMs);
            }
        }
        if (NO_TURN == lastTurnMs || nowMs > lastTurnMs)
        {
            lastTurnMs = nowMs;
        }
    }

    private void onMessage(final RpcRequest request, final RpcReply reply)
    {
        final DirectBuffer body = request.body();
        final int offset = request.bodyOffset();
        final int length = request.bodyLength();
        if (length < ENDPOINT_LENGTH_FIELD)
        {
            malformedMessages.increment();
            return;
        }
        final int endpointLength = body.getShort(offset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        if (0 == endpointLength || endpointLength > MembershipContext.MAX_ENDPOINT_LENGTH ||
            ENDPOINT_LENGTH_FIELD + endpointLength > length)
        {
            malformedMessages.increment();
            return;
        }
        final int endpointOffset = offset + ENDPOINT_LENGTH_FIELD;
        final int sourceNodeId = request.sourceNodeId();
        if (sourceNodeId == localNodeId)
        {
            if (!sameBytes(body, endpointOffset, endpointLength, localEndpointBytes))
            {
                onDuplicateNodeId(body, endpointOffset, endpointLength);
            }
            return;
        }
        final Peer peer = peerFrom(sourceNodeId, body, endpointOffset, endpointLength);
        if (null == peer)
        {
            return;
        }
        final long nowMs = services.monotonicMs();
        if (request.messageTypeId() == GossipMessageType.SYN_ACK.code())
        {
            synSentMs.remove(sourceNodeId);
            lastSynAckMs = nowMs;
        }
        final boolean carriesDelta = request.messageTypeId() != GossipMessageType.SYN.code();
        noteSeedAnswer(sourceNodeId, body, endpointOffset, endpointLength, carriesDelta);

        final int frameStart = endpointOffset + endpointLength;
        final int replyLength = membership.onFrame(
            body, frameStart, length - (frameStart - offset), nowMs, replyBuffer, frameOffset, frameBudget);
        if (replyLength > 0)
        {
            final int type = replyBuffer.getByte(frameOffset + GossipFrame.TYPE_OFFSET);
            send(peer.handle, GossipMessageType.fromCode(type), replyBuffer, frameOffset + replyLength);
        }
        table.publish();
    }

    private void onDuplicateNodeId(final DirectBuffer body, final int offset, final int length)
    {
        final long count = duplicateNodeIds.incrementOrdered() + 1;
        if (1 == count || 0 == count % DUPLICATE_LOG_EVERY)
        {
            LOGGER.log(System.Logger.Level.ERROR, "node " + localNodeId + ": gossip from " +
                body.getStringWithoutLengthAscii(offset, length) + " claims this node's id; " + count +
                " such frames dropped: give every node a unique id");
        }
    }

    private void noteSeedAnswer(
        final int nodeId, final DirectBuffer body, final int offset, final int length, final boolean carriesDelta)
    {
        for (final Seed seed : seeds)
        {
            if (sameBytes(body, offset, length, seed.endpointBytes))
            {
                // A SYN carries only the seed's digest; the SYN_ACK and ACK carry what it knows that this node lacks.
                seed.answered |= carriesDelta;
                seed.nodeId = nodeId;
                seed.pendingSinceMs = Long.MIN_VALUE;
                if (seed.failing)
                {
                    seed.failing = false;
                    LOGGER.log(System.Logger.Level.INFO, "node " + localNodeId + ": seed " + seed.endpoint +
                        " answered (node " + nodeId + ")");
                }
            }
        }
    }

    private Peer peerFrom(final int nodeId, final DirectBuffer body, final int offset, final int length)
    {
        final Peer cached = peers.get(nodeId);
        if (null != cached && sameBytes(body, offset, length, cached.endpointBytes))
        {
            return cached;
        }
        final String endpoint = body.getStringWithoutLengthAscii(offset, length);
        return cache(nodeId, endpoint);
    }

    private Peer peerOf(final int nodeId)
    {
        final Peer cached = peers.get(nodeId);
        if (null != cached)
        {
            return cached;
        }
        final NodeState node = membership.state().node(nodeId);
        final String endpoint = null == node ? null : node.stringValue(ENDPOINT_KEY);
        if (null != endpoint)
        {
            return cache(nodeId, endpoint);
        }
        for (final Seed seed : seeds)
        {
            if (seed.nodeId == nodeId)
            {
                return cache(nodeId, seed.endpoint);
            }
        }
        return null;
    }

    private Peer cache(final int nodeId, final String endpoint)
    {
        final int handle;
        try
        {
            handle = rpc.resolvePeer(endpoint);
        }
        catch (final IllegalArgumentException ex)
        {
            malformedMessages.increment();
            return null;
        }
        if (peers.size() >= ctx.maxCachedPeers() && !peers.containsKey(nodeId))
        {
            evictOnePeer();
        }
        final Peer peer = new Peer(endpoint.getBytes(StandardCharsets.US_ASCII), handle);
        peers.put(nodeId, peer);
        return peer;
    }

    private void evictOnePeer()
    {
        // Prefer a member the detector no longer holds live; any other is re-resolved when next needed.
        int victim = UNKNOWN_NODE;
        for (final Int2ObjectHashMap<Peer>.KeyIterator it = peers.keySet().iterator(); it.hasNext(); )
        {
            final int nodeId = it.nextInt();
            victim = nodeId;
            if (!membership.detector().isLive(nodeId))
            {
                break;
            }
        }
        peers.remove(victim);
    }

    private void send(final int peer, final GossipMessageType type, final UnsafeBuffer buffer, final int length)
    {
        buffer.putShort(0, (short)localEndpointBytes.length, ByteOrder.LITTLE_ENDIAN);
        final long result = rpc.send(peer, serviceId, type.code(), buffer, 0, length, null);
        if (result <= 0)
        {
            sendFailures.increment();
        }
    }

    private UnsafeBuffer newBodyBuffer(final int length)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        buffer.putShort(0, (short)localEndpointBytes.length, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(ENDPOINT_LENGTH_FIELD, localEndpointBytes);
        return buffer;
    }

    private static byte[] endpointBytes(final String endpoint, final String what)
    {
        if (null == endpoint || endpoint.isEmpty())
        {
            throw new IllegalArgumentException(what + " must be a non-empty string");
        }
        for (int i = 0; i < endpoint.length(); i++)
        {
            if (endpoint.charAt(i) > 0x7F)
            {
                throw new IllegalArgumentException(what + " '" + endpoint + "' must be US-ASCII");
            }
        }
        if (endpoint.length() > MembershipContext.MAX_ENDPOINT_LENGTH)
        {
            throw new IllegalArgumentException(what + " '" + endpoint + "' is longer than " +
                MembershipContext.MAX_ENDPOINT_LENGTH + " characters");
        }
        return endpoint.getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean sameBytes(
        final DirectBuffer buffer, final int offset, final int length, final byte[] expected)
    {
        if (length != expected.length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(offset + i) != expected[i])
            {
                return false;
            }
        }
        return true;
    }

    private String stringKey(final int nodeId, final String key, final String fallback)
    {
        final NodeState node = membership.state().node(nodeId);
        final String value = null == node ? null : node.stringValue(key);
        return null == value ? fallback : value;
    }

    /** A resolved reply endpoint. */
    private static final class Peer
    {
        private final byte[] endpointBytes;
        private final int handle;

        Peer(final byte[] endpointBytes, final int handle)
        {
            this.endpointBytes = endpointBytes;
            this.handle = handle;
        }
    }

    /** A seed endpoint and what is known of the node behind it. */
    private static final class Seed
    {
        private final String endpoint;
        private final byte[] endpointBytes;
        private final int handle;
        private int nodeId = UNKNOWN_NODE;
        private long pendingSinceMs = Long.MIN_VALUE;
        private boolean failing;
        private boolean answered;
        private boolean heard;

        Seed(final String endpoint, final byte[] endpointBytes, final int handle)
        {
            this.endpoint = endpoint;
            this.endpointBytes = endpointBytes;
            this.handle = handle;
        }
    }

    /** Keeps the member table in step with membership events, then tells the configured listener. */
    private final class Events implements MembershipListener
    {
        public void onMemberJoined(final int nodeId, final long generation, final boolean restarted)
        {
            table.upsert(nodeId, generation, stringKey(nodeId, DATA_CENTRE_KEY, ""),
                stringKey(nodeId, ENDPOINT_KEY, ""));
            ctx.listener().onMemberJoined(nodeId, generation, restarted);
        }

        public void onMemberDead(final int nodeId, final long generation)
        {
            table.live(nodeId, false);
            ctx.listener().onMemberDead(nodeId, generation);
        }

        public void onMemberRevived(final int nodeId, final long generation)
        {
            table.live(nodeId, true);
            ctx.listener().onMemberRevived(nodeId, generation);
        }

        public void onMemberLeft(final int nodeId)
        {
            table.remove(nodeId);
            peers.remove(nodeId);
            synSentMs.remove(nodeId);
            ctx.listener().onMemberLeft(nodeId);
        }

        public void onKeyChanged(final int nodeId, final String key, final long version, final boolean tombstone)
        {
            if (nodeId != localNodeId && !tombstone && table.contains(nodeId))
            {
                if (ENDPOINT_KEY.equals(key))
                {
                    if (table.endpoint(nodeId, stringKey(nodeId, ENDPOINT_KEY, "")))
                    {
                        peers.remove(nodeId);
                    }
                }
                else if (DATA_CENTRE_KEY.equals(key))
                {
                    table.dataCentre(nodeId, stringKey(nodeId, DATA_CENTRE_KEY, ""));
                }
            }
            ctx.listener().onKeyChanged(nodeId, key, version, tombstone);
        }
    }
}
