/**
 * Cluster membership: scuttlebutt gossip of per-member versioned key/value state, phi-accrual failure detection
 * scaled by local health, gossip peer choice, and data-centre-aware replica selection for consistency levels, plus
 * {@link io.datacake.membership.MembershipComponent}, the node component that runs it over RPC. The core is pure
 * state machines and codecs that own no thread, clock, socket or random source: time comes in as {@code nowMs},
 * randomness as a {@link java.util.random.RandomGenerator}, frames as Agrona buffers. The component drives the core
 * from its gossip timer and its message handler. Every {@code nowMs} is the node's monotonic time
 * ({@link io.datacake.node.NodeServices#monotonicMs()}): heartbeat intervals, stalls, syn timeouts, dead grace and
 * tombstone ages are durations measured on this node, never sent, so a wall clock step neither delays gossip nor
 * makes the failure detector accuse a healthy peer. Only the generation is derived from the wall clock, since it
 * must grow across restarts.
 *
 * <h2>State</h2>
 * {@link io.datacake.membership.ClusterState} holds one {@link io.datacake.membership.NodeState} per known member
 * (node ids 0 to 65,535) and generation. A member writes only its own keys; each write or deletion takes the next
 * version of that member, deletions leave tombstones that are collected after a grace period, and a heartbeat
 * counter rises every gossip round. A member that restarts comes back with a higher generation, which replaces
 * everything known of the old one.
 *
 * <h2>Gossip</h2>
 * One exchange is three frames: SYN (the initiator's {@link io.datacake.membership.Digest}), SYN_ACK (the
 * responder's reply digest and the delta the initiator lacks) and ACK (the delta the responder lacks), written by
 * {@link io.datacake.membership.GossipEncoder} and checked in full by {@link io.datacake.membership.GossipDecoder}
 * before anything is applied; a malformed frame raises {@link io.datacake.membership.MalformedGossipException} with
 * a reason to count and changes nothing. A delta is bounded by the frame budget: members the peer does not know
 * come first, then the most stale, each as a prefix of its entries by version, so a state of any size arrives over
 * successive rounds. Applying a delta is idempotent. A peer that may have missed a deletion whose tombstone was
 * since collected is sent the member's whole state instead.
 * <p>
 * Wire format, all fields little-endian:
 * <pre>
 *   header (8 bytes)
 *     0  int32  magic 0x53474344 ("DCGS")
 *     4  uint8  encoding version (2)
 *     5  uint8  message type: 1 SYN, 2 SYN_ACK, 3 ACK
 *     6  uint16 reserved, written as zero, ignored on read
 *   digest section (SYN, SYN_ACK)
 *     uint16 first node id covered, uint16 last node id covered, varint row count, then per row in increasing
 *     node id order within the covered range (12 to 38 bytes):
 *       varint node id gap (first row: id - first covered; later rows: id - previous id - 1),
 *       int64 generation, varint heartbeat, varint max version, varint last collected version
 *   delta section (SYN_ACK after the digest, ACK)
 *     int32 node count, then per node:
 *       uint16 node id, int64 generation, int64 heartbeat, int64 from version (exclusive),
 *       int64 to version (inclusive: the entries are everything the sender holds in (from, to]),
 *       int64 last collected version, int64 sender's max version, int32 entry count           (54 bytes)
 *       per entry, in increasing version order:
 *         int64 version, uint8 flags (bit 0: tombstone), uint16 key length, int32 value length  (15 bytes)
 *         key (UTF-8), value
 * </pre>
 * A varint is unsigned LEB128 in its shortest form, at most 9 bytes. A row is about 13 bytes in steady state (the
 * generation is the one fixed-width field). A SYN's digest lists, from where the previous SYN stopped, as many
 * members as fit the frame and names the range it covers; within that range a member it does not list is unknown to
 * the sender, and the next SYN continues after the range, so no cluster is too large for a frame. A SYN_ACK's digest
 * only answers: it lists the members on which the responder differs from the SYN's digest (a member it does not know
 * as generation 0), so the initiator sends what it has newer and learns the heartbeats the responder has newer; it
 * takes at most half the frame, the delta the rest.
 *
 * <h2>Failure detection</h2>
 * {@link io.datacake.membership.PhiAccrualDetector} turns silence into a suspicion level per member;
 * {@link io.datacake.membership.FailureDetector} classifies members live or dead against a threshold that
 * {@link io.datacake.membership.LocalHealth} scales up when this node itself is lagging, so a slow node doubts itself
 * before it accuses healthy peers. Dead members come back when they beat again or restart, and are forgotten after a
 * grace period. A node that closes cleanly announces its leave (a marker in its own state, also sent directly to its
 * live peers), so peers report it left at once instead of dead after the detector's silence. {@link io.datacake.membership.GossipTargets} picks each round's peers: a few live ones, sometimes a
 * dead one, and a seed when needed.
 *
 * <h2>Driving it</h2>
 * {@link io.datacake.membership.Membership} ties these together for a node component and reports members joining,
 * dying, reviving, leaving and changing keys to a {@link io.datacake.membership.MembershipListener}.
 * {@link io.datacake.membership.ReplicaSelector} then picks, from the live members, the replicas an operation must
 * reach for a {@link io.datacake.membership.ConsistencyLevel}.
 *
 * <h2>On a node</h2>
 * {@link io.datacake.membership.MembershipComponent}, configured by a
 * {@link io.datacake.membership.MembershipContext}, runs a gossip round on a node timer: it beats, reclassifies
 * members, and sends a SYN to the round's peers and to every seed endpoint whose node it does not know yet. Frames
 * travel as RPC one-way messages of the {@code datacake.gossip} service, one message type per frame type; each body
 * opens with the sender's endpoint, to which the answer goes (resolved once, cached by node id up to a bound). Each
 * node publishes its data centre and endpoint as well-known keys of its own state. Frames are bounded by the
 * transport's frame less the RPC fields. Unreachable seeds are retried every round and counted; a frame claiming
 * this node's id from another endpoint is dropped and counted. A gap between duty-cycle turns beyond the stall
 * threshold, and a round whose SYNs to live peers went unanswered while no peer answered for a SYN timeout, are evidence
 * against this node's {@link io.datacake.membership.LocalHealth}, so a node that was stalled does not accuse healthy peers on resuming.
 * <p>
 * What the rest of the node reads is a {@link io.datacake.membership.ClusterView} (node thread; a version that moves
 * on join, death, revival, departure and endpoint change) and {@link io.datacake.membership.MembershipListener}
 * events; application threads read {@link io.datacake.membership.MembershipComponent#members()}, an immutable
 * snapshot of {@link io.datacake.membership.ClusterMember}s republished after each change.
 * {@link io.datacake.membership.StaticClusterView} stands in for gossip in fixed clusters.
 * <p>
 * Every class except that snapshot is single threaded: the node thread owns it.
 */
package io.datacake.membership;
