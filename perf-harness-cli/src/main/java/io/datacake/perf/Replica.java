package io.datacake.perf;

import io.datacake.crdt.Orswot;
import io.datacake.crdt.SetOperation;
import io.datacake.rpc.RpcService;
import io.datacake.storage.MemoryStorage;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.Storage;
import io.datacake.storage.WriteBatch;
import org.agrona.DirectBuffer;

/**
 * One node's copy of the benchmark keyspace: its ORSWOT and its storage, touched only on the node's thread. A write
 * is applied the way datacake's keyspace applies one: skipped if the set would not take it (it holds something
 * newer, or the write is older than one already seen from its node), otherwise written to storage, then inserted
 * into the set. The check and the insert share one code path, so what is stored is exactly what the set holds.
 */
final class Replica implements AutoCloseable
{
    static final String KEYSPACE = "perf";
    static final String SERVICE = "perf-kv";
    static final int SERVICE_ID = RpcService.idOf(SERVICE);
    static final int PUT = 1;
    /** An empty request answered with an empty response: proves a peer is reachable before the workload starts. */
    static final int PING = 2;

    /** Body of a PUT: key (8), stamp (8), node id (4), then the value. */
    static final int KEY_OFFSET = 0;
    static final int STAMP_OFFSET = 8;
    static final int NODE_OFFSET = 16;
    static final int VALUE_OFFSET = 20;

    /** Largest value a replica stores: its storage's limit. */
    static final int MAX_VALUE_BYTES = Storage.DEFAULT_MAX_VALUE_LENGTH;

    private final Orswot set = new Orswot();
    private final MemoryStorage storage = new MemoryStorage(MAX_VALUE_BYTES);
    private final WriteBatch batch = storage.newWriteBatch();
    private long applied;
    private long skipped;
    private long staleRejected;

    /**
     * @return the RPC service that applies PUTs from coordinators to this replica.
     */
    RpcService service()
    {
        return new RpcService(SERVICE).handler(PUT, (request, reply) ->
        {
            final DirectBuffer body = request.body();
            final int offset = request.bodyOffset();
            apply(body.getLong(offset + KEY_OFFSET), body.getLong(offset + STAMP_OFFSET),
                body.getInt(offset + NODE_OFFSET), body, offset + VALUE_OFFSET, request.bodyLength() - VALUE_OFFSET);
            reply.sendEmpty();
        }).handler(PING, (request, reply) -> reply.sendEmpty());
    }

    void apply(
        final long key, final long stamp, final int nodeId, final DirectBuffer value, final int offset, final int length)
    {
        if (!set.willApply(SetOperation.INSERT, Orswot.CONSISTENCY_SOURCE, key, stamp, nodeId))
        {
            if (stamp < set.seenStamp(Orswot.CONSISTENCY_SOURCE, nodeId))
            {
                staleRejected++;
            }
            else
            {
                skipped++;
            }
            return;
        }
        batch.clear();
        batch.put(KEYSPACE, key, stamp, nodeId, value, offset, length);
        storage.commit(batch);
        set.insert(Orswot.CONSISTENCY_SOURCE, key, stamp, nodeId);
        applied++;
    }

    /**
     * A summary of this replica's state for the convergence check; call on the node thread.
     */
    ReplicaSummary summary()
    {
        final long[] storageDigest = { 0 };
        final long[] storageCount = { 0 };
        try (ReadTransaction txn = storage.beginRead())
        {
            txn.forEachMetadata(KEYSPACE, (key, stamp, nodeId, tombstone) ->
            {
                storageDigest[0] ^= Orswot.entryHash(key, stamp, nodeId, tombstone);
                storageCount[0]++;
            });
        }
        return new ReplicaSummary(set.liveCount(), set.tombstoneCount(), set.dataDigest(), storageCount[0],
            storageDigest[0], applied, skipped, staleRejected);
    }

    public void close()
    {
        set.close();
        storage.close();
    }

    /**
     * What a replica holds after a run.
     *
     * @param liveKeys      live entries in the set.
     * @param tombstones    tombstones in the set.
     * @param dataDigest    the set's data digest: live entries and tombstones, not the seen stamps.
     * @param storedKeys    documents in storage.
     * @param storageDigest order-independent digest of storage metadata (the same per-entry hash as the set's).
     * @param applied       writes applied.
     * @param skipped       writes skipped because the set held something at least as new for the key.
     * @param staleRejected writes skipped because they were older than one already seen from their node (the set's
     *                      per-source order rule).
     */
    record ReplicaSummary(
        int liveKeys, int tombstones, long dataDigest, long storedKeys, long storageDigest, long applied, long skipped,
        long staleRejected)
    {
        /**
         * Converged means the same data: equal live entries and tombstones in the set and in storage. The sets'
         * seen stamps are not compared: a write skipped as older is never recorded, so they legitimately differ
         * between replicas holding the same data, and converge only through anti-entropy.
         */
        boolean sameDataAs(final ReplicaSummary other)
        {
            return liveKeys == other.liveKeys && tombstones == other.tombstones && dataDigest == other.dataDigest &&
                storedKeys == other.storedKeys && storageDigest == other.storageDigest;
        }
    }
}
