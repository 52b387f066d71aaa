package io.datacake.transport;

/**
 * Told by a {@link Transport} when a resolved peer becomes reachable or stops being reachable (Aeron publications
 * connect and disconnect as the remote side comes and goes). Called on the polling thread from within
 * {@link Transport#poll}. A hint for the engine (fail fast, re-send hellos), never a correctness guarantee.
 */
public interface PeerStatusListener
{
    /**
     * The peer can now receive frames: a newly resolved peer became ready (its handle returned
     * {@link Transport#NOT_CONNECTED} until now), or a peer that went away came back.
     *
     * @param peer the handle from {@link Transport#resolvePeer}.
     */
    void onPeerAvailable(int peer);

    /**
     * The peer can no longer receive frames until it comes back.
     *
     * @param peer the handle from {@link Transport#resolvePeer}.
     */
    void onPeerUnavailable(int peer);
}
