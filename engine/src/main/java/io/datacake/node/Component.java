package io.datacake.node;

/**
 * A part of a node with a lifecycle, registered with {@link NodeContext#addComponent(Component)} before launch:
 * membership, replication and storage writers plug in here.
 * <p>
 * Lifecycle, all on the node thread (or, for {@link #onStart}, the thread that launches the node, before the node
 * thread exists):
 * <ol>
 *   <li>{@link #onStart(NodeServices)} in registration order, before the node polls its first frame or runs its
 *       first command, so a service registered here sees every request, the very first one included. If it
 *       throws, {@link Node#launch(NodeContext)} fails with {@link ComponentStartException} after the components
 *       already started are closed in reverse order.</li>
 *   <li>{@link #doWork(long)} on every turn of the duty cycle, after timers, commands, frames and RPC work. An
 *       exception is counted in {@link NodeCounters#componentErrors}, given to the error handler, and the node
 *       keeps running.</li>
 *   <li>{@link #onPeerAvailable(int)} and {@link #onPeerUnavailable(int)} as the transport reports them, after
 *       the RPC layer has heard them.</li>
 *   <li>{@link #onClose()} in reverse registration order when the node closes.</li>
 * </ol>
 * None of these may block.
 */
public interface Component
{
    /**
     * Start: register services and duties, schedule timers, allocate counters. Keep the services for later turns.
     *
     * @param services what the node offers its components; valid until {@link #onClose()}.
     * @throws RuntimeException any failure, which fails the node's launch.
     */
    void onStart(NodeServices services);

    /**
     * Do a bounded amount of work on a turn of the duty cycle. The default does nothing.
     *
     * @param monotonicMs the monotonic time of this turn ({@link NodeServices#monotonicMs()}), in milliseconds:
     *                    compare it only with other monotonic readings of this node.
     * @return the amount of work done, 0 if none, so the node can idle.
     */
    default int doWork(final long monotonicMs)
    {
        return 0;
    }

    /**
     * The transport reports that a peer can receive frames again. The default does nothing.
     *
     * @param peer the transport's peer handle ({@code NodeServices.rpc().resolvePeer(endpoint)} gives the same).
     */
    default void onPeerAvailable(final int peer)
    {
    }

    /**
     * The transport reports that a peer can no longer receive frames. The default does nothing.
     *
     * @param peer the transport's peer handle.
     */
    default void onPeerUnavailable(final int peer)
    {
    }

    /**
     * The node is closing (or its launch failed after this component started): release what it holds. The
     * default does nothing.
     */
    default void onClose()
    {
    }
}
