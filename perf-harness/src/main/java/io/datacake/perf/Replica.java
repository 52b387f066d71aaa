package io.datacake.perf;

import io.datacake.crdt.Orswot;
import io.datacake.rpc.RpcService;
import io.datacake.storage.MemoryStorage;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.WriteBatch;
import org.agrona.DirectBuffer;

/**
 * One node's copy of the benchmark keyspace: its ORSWOT and its storage, touched only on the node's thread. A write
 * is applied the way datacake's keyspace applies one: skipped if the set already holds something newer, otherwise
 * written to storage, then inserted into the set.
 */
final class Replica implements AutoCloseable
{
    static final String KEYSPACE = "perf";
    static final String SERVICE = "perf-kv";
    static final int SERVICE_ID = RpcService.idOf(SERVICE);
    static final int PUT = 1;

    /** Body of a PUT: key (8), stamp (8), node id (4), then the value. */
    static final int KEY_OFFSET = 0;
    static final int STAMP_OFFSET = 8;
    static final int NODE_OFFSET = 16;
    static final int VALUE_OFFSET = 20;

    private final Orswot set = new Orswot();
    private final MemoryStorage storage = new MemoryStorage();
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
        });
    }

    void apply(
        final long key, final long stamp, final int nodeId, final DirectBuffer value, final int offset, final int length)
    {
        if (!set.willApply(key, stamp, nodeId))
        {
            skipped++;
            return;
        }
        batch.clear();
        batch.put(KEYSPACE, key, stamp, nodeId, value, offset, length);
        storage.commit(batch);
        applied++;
        if (!set.insert(key, stamp, nodeId))
        {
            staleRejected++;
        }
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
                storageDigest[0] += mix(key, stamp, nodeId);
                storageCount[0]++;
            });
        }
        final long[] liveDigest = { 0 };
        set.forEachLive((key, stamp, nodeId) -> liveDigest[0] += mix(key, stamp, nodeId));
        return new ReplicaSummary(set.liveCount(), liveDigest[0], storageCount[0], storageDigest[0], applied, skipped,
            staleRejected);
    }

    public void close()
    {
        set.close();
        storage.close();
    }

    private static long mix(final long key, final long stamp, final int nodeId)
    {
        long h = key * 0x9E3779B97F4A7C15L;
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + stamp;
        h = (h ^ (h >>> 29)) * 0x94D049BB133111EBL + nodeId;
        return h ^ (h >>> 32);
    }

    /**
     * What a replica holds after a run.
     *
     * @param liveKeys      live entries in the set.
     * @param setDigest     order-independent digest of the live entries.
     * @param storedKeys    documents in storage.
     * @param storageDigest order-independent digest of storage metadata.
     * @param applied       writes applied.
     * @param skipped       writes skipped because the set held something newer.
     * @param staleRejected writes stored but rejected by the set's per-source order check.
     */
    record ReplicaSummary(
        int liveKeys, long setDigest, long storedKeys, long storageDigest, long applied, long skipped,
        long staleRejected)
    {
        boolean sameDataAs(final ReplicaSummary other)
        {
            return liveKeys == other.liveKeys && setDigest == other.setDigest && storedKeys == other.storedKeys &&
                storageDigest == other.storageDigest;
        }
    }
}
