package io.datacake.rpc;

import io.datacake.security.Keyring;
import io.datacake.transport.FrameHandler;
import io.datacake.transport.PeerStatusListener;

/**
 * The handle by which a node owns and drives its RPC layer: it polls the transport into {@link #frameHandler()},
 * registers {@link #peerStatusListener()} with the transport, calls {@link #doWork(long)} every duty cycle and
 * {@link #close()} once. Components never see this handle; they get the narrow {@link Rpc} from {@link #rpc()}.
 * <p>
 * Node thread only.
 */
public final class RpcLayer
{
    private final RpcEngine engine;

    /**
     * Create the RPC layer of a node.
     *
     * @param ctx the settings and collaborators (transport, clocks, counters, bounds).
     * @throws NullPointerException     if a required collaborator is missing.
     * @throws IllegalArgumentException if the transport's frames are too small for the RPC headers, or
     *                                  {@code maxPendingReplyBytes} cannot hold one frame.
     */
    public RpcLayer(final RpcContext ctx)
    {
        this.engine = new RpcEngine(ctx);
    }

    /**
     * What components use: calls, one-way messages, cancellation, services.
     *
     * @return the node's RPC interface.
     */
    public Rpc rpc()
    {
        return engine;
    }

    /**
     * The transport's poll callback: checks, decodes and routes every frame; never throws.
     *
     * @return the frame handler.
     */
    public FrameHandler frameHandler()
    {
        return engine.frameAdapter();
    }

    /**
     * To register with the transport: a peer going away fails its calls and drops what is queued for it.
     *
     * @return the listener.
     */
    public PeerStatusListener peerStatusListener()
    {
        return engine;
    }

    /**
     * Expire call timeouts, retry queued requests and replies, send streamed chunks within credit and abandon
     * streams that made no progress. Call every duty cycle.
     *
     * @param monotonicMs the monotonic time of this duty cycle, in milliseconds of
     *                    {@link RpcContext#nanoClock(org.agrona.concurrent.NanoClock)}.
     * @return work done.
     */
    public int doWork(final long monotonicMs)
    {
        return engine.doWork(monotonicMs);
    }

    /**
     * With a keyring, hash the key blocks of the next frame's tags (one to seal, one to open) if frames were sealed or
     * opened since the last call, so that the next frame waits only for the hash of its own bytes. Call when a duty
     * cycle found no work: called right after a frame, the work would hold back what the same duty cycle still has to
     * send (with an invoked media driver, nothing leaves until the next poll). Optional: a tag begun without it does
     * the work itself. Allocates nothing.
     */
    public void prepareNextTags()
    {
        engine.prepareNextTags();
    }

    /**
     * Whether the key blocks of both the next seal and the next open are hashed already.
     *
     * @return true with a keyring once {@link #prepareNextTags()} ran after the last frame sealed and opened; always
     * false without a keyring.
     */
    public boolean isNextTagPrepared()
    {
        return engine.framePublisher().isNextTagPrepared() && engine.frameAdapter().isNextTagPrepared();
    }

    /**
     * Replace the keyring (rotation): frames received from now on are checked against the new keyring's keys and
     * frames sent from now on are sealed under its primary key. Call on the node thread, e.g. through the node's
     * command queue.
     *
     * @param keyring the new keyring, same {@link io.datacake.security.FrameProtection} as before.
     * @throws IllegalStateException if the layer was created without a keyring (security cannot be turned on or off
     *                               in a running node).
     * @throws NullPointerException  if the keyring is null.
     */
    public void keyring(final Keyring keyring)
    {
        engine.keyring(keyring);
    }

    /**
     * Fail every pending call with {@link RpcError#NODE_CLOSED}, drop what is queued and all streams. Idempotent.
     */
    public void close()
    {
        engine.close();
    }
}
