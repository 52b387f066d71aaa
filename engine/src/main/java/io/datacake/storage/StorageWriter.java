package io.datacake.storage;

import io.datacake.clock.HlcTimestamp;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.collections.Object2IntHashMap;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.nio.ByteBuffer;

/**
 * Commits writes off the node thread, many per storage transaction (group commit). The node thread submits a put,
 * tombstone or tombstone removal and gets a sequence number back at once, or {@link #BACK_PRESSURED} when the
 * in-flight bounds are reached; it never waits. The write is copied into a bounded ring buffer; the writer (its own
 * thread, or stepped through {@link #invoker()}) takes everything submitted so far, up to the batch bounds, into one
 * {@link WriteBatch} and commits it in one transaction, so a slow commit (an fsync) delays acks, never the node's
 * timers, RPC or heartbeats. Outcomes come back through a bounded queue; {@link #drainCompletions(int)} (a node duty,
 * see {@link StorageWriterComponent}) hands them to each write's {@link WriteCompletionHandler} on the node thread, in
 * submission order. A failed commit fails every write of its window with the same cause.
 * <p>
 * Writes repair brought ({@link #submitRepairPut}, {@link #submitRepairTombstone}) travel in windows of their own, up
 * to {@link StorageWriterContext#maxRepairBatchOperations(int)}, committed as
 * {@linkplain WriteBatch#refetchable(boolean) refetchable} batches; a client write ends a repair window and opens a
 * window with the client bounds, so it waits behind at most one repair window.
 *
 * <h2>What an ack means</h2>
 * {@link WriteCompletionHandler#onWriteCommitted} means the storage's commit returned, which promises what the
 * storage's mode promises:
 * <ul>
 *   <li>{@link MemoryStorage}: the write is visible to reads; nothing is durable.</li>
 *   <li>LMDB {@code SYNC}: data and meta pages are flushed; the write survives a process crash, an OS crash and a
 *       power loss.</li>
 *   <li>LMDB {@code NO_META_SYNC}: data pages are flushed, the meta page is not; an OS crash or power loss may lose
 *       the last commits (the database stays consistent), a process crash loses nothing.</li>
 *   <li>LMDB {@code NO_SYNC}: nothing is flushed; a process crash loses nothing (pages are in the page cache), an OS
 *       crash or power loss may lose recent commits.</li>
 *   <li>SQLite {@code FULL}: the WAL is flushed; survives a power loss. {@code NORMAL}: a process crash loses
 *       nothing, a power loss may roll back the latest commits. {@code OFF}: an OS crash or power loss may lose
 *       recent commits.</li>
 * </ul>
 * Reads do not go through the writer: they stay on the caller's thread ({@link Storage#beginRead()}) and see a write
 * once its commit returned, which may be a little before its ack reaches the node thread.
 *
 * <h2>Inline commits</h2>
 * When the storage {@linkplain Storage#commitsWithoutWaiting() commits without waiting} (a {@link MemoryStorage})
 * and {@link StorageWriterContext#commitInline(boolean)} is on (the default), the node thread commits the writes it
 * submitted in a duty cycle itself, through {@link #commitInline()}, so an ack costs no hand-off to the writer thread
 * and back: the commit is one {@link Storage#tryCommit(WriteBatch)}, which never waits. The writer thread still
 * runs and commits whatever the node thread could not (a reader held the storage, or the writer thread was taking a
 * turn itself): at most one of the two commits at a time, and outcomes reach the handlers in submission order either
 * way. An inline commit promises exactly what a commit on the writer thread promises (above); it only moves the
 * commit's CPU work to the node thread, bounded by the window bounds.
 *
 * <h2>Threads</h2>
 * The submit methods, {@link #drainCompletions(int)} and {@link #close()} belong to one thread, the node thread; the
 * storage belongs to the writer from launch until close returns, and no one else may commit to it meanwhile.
 */
public final class StorageWriter implements AutoCloseable
{
    /** Submit result: the in-flight bytes or writes would pass their bound; retry once completions drained. */
    public static final long BACK_PRESSURED = -1;
    /** Submit result: the writer is closed. */
    public static final long CLOSED = -2;

    private static final int NO_KEYSPACE = -1;

    private final Storage storage;
    private final RingBuffer ring;
    private final WriteCompletionQueue completions;
    private final StorageWriterAgent agent;
    private final AgentRunner runner;
    private final AgentInvoker invoker;
    private final ErrorHandler errorHandler;
    private final int maxInFlightBytes;
    private final int maxValueLength;
    private final int maxKeyspaces;
    private final boolean commitOnClose;
    private final boolean commitInline;
    private final int pendingMask;
    private final WriteCompletionHandler[] handlers;
    private final int[] recordLengths;
    private final String[] keyspaceNames;
    private final Object2IntHashMap<String> keyspaceIds;
    private int keyspaceCount;
    private long nextSequence = 1;
    private long nextToComplete = 1;
    private long inFlightBytes;
    private long windowLast;
    private Throwable windowFailure;
    private long backPressuredSubmits;
    private boolean closed;

    private StorageWriter(final StorageWriterContext ctx)
    {
        this.storage = ctx.storage();
        this.errorHandler = ctx.errorHandler();
        this.maxInFlightBytes = ctx.maxInFlightBytes();
        this.maxValueLength = ctx.maxValueLength();
        this.maxKeyspaces = ctx.maxKeyspaces();
        this.commitOnClose = ctx.commitOnClose();
        this.commitInline = ctx.commitInline() && !ctx.useAgentInvoker() && storage.commitsWithoutWaiting();
        final AtomicBuffer ringBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(ctx.ringBufferLength()));
        this.ring = new OneToOneRingBuffer(ringBuffer);
        this.completions = new WriteCompletionQueue(ctx.completionQueueCapacity());
        final int pendingCapacity = BitUtil.findNextPositivePowerOfTwo(ctx.maxInFlightWrites());
        this.pendingMask = pendingCapacity - 1;
        this.handlers = new WriteCompletionHandler[pendingCapacity];
        this.recordLengths = new int[pendingCapacity];
        this.keyspaceNames = new String[maxKeyspaces];
        this.keyspaceIds = new Object2IntHashMap<>(NO_KEYSPACE);
        this.agent = new StorageWriterAgent(ctx, ring, completions, keyspaceNames);
        if (ctx.useAgentInvoker())
        {
            this.runner = null;
            this.invoker = new AgentInvoker(errorHandler, null, agent);
        }
        else
        {
            this.runner = new AgentRunner(ctx.idleStrategy(), errorHandler, null, agent);
            this.invoker = null;
        }
    }

    /**
     * Start a writer: on a new thread, or (stepped mode) ready to be stepped through {@link #invoker()}.
     *
     * @param ctx the configuration; concluded here.
     * @return the running writer.
     * @throws IllegalArgumentException if the configuration is invalid.
     */
    public static StorageWriter launch(final StorageWriterContext ctx)
    {
        ctx.conclude();
        final StorageWriter writer = new StorageWriter(ctx);
        if (null != writer.invoker)
        {
            writer.invoker.start();
        }
        else
        {
            AgentRunner.startOnThread(writer.runner);
        }
        return writer;
    }

    /**
     * Submit a put: store {@code value[offset, offset + length)} under the key unless the storage holds a write of
     * that key with the same or a later timestamp. The value is copied before return.
     *
     * @param keyspace keyspace name; the first use of a name registers it (validated, and the only allocation).
     * @param key      document id.
     * @param stamp    packed HLC stamp of the write.
     * @param nodeId   node id of the timestamp.
     * @param value    buffer holding the value.
     * @param offset   offset of the value.
     * @param length   length of the value.
     * @param handler  told on the node thread when the write committed or failed.
     * @return the write's sequence number (from 1, consecutive), or {@link #BACK_PRESSURED} or {@link #CLOSED}.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws ValueTooLargeException       if the value is longer than the writer's maximum value length.
     * @throws IllegalArgumentException     if the stamp, node id or value range is invalid.
     * @throws IllegalStateException        if {@link StorageWriterContext#maxKeyspaces(int)} names are registered.
     * @throws NullPointerException         if the handler is null.
     */
    public long submitPut(
        final String keyspace,
        final long key,
        final long stamp,
        final int nodeId,
        final DirectBuffer value,
        final int offset,
        final int length,
        final WriteCompletionHandler handler)
    {
        return submitPut(keyspace, key, stamp, nodeId, value, offset, length, handler, false);
    }

    /**
     * Submit a repair put: as {@link #submitPut}, for a write a replica holds and repair fetches again if this node
     * loses it. Repair writes travel in windows of their own, up to
     * {@link StorageWriterContext#maxRepairBatchOperations(int)}, committed as
     * {@linkplain WriteBatch#refetchable(boolean) refetchable} batches: the storage may make them durable later
     * than it makes client writes (LMDB in {@code SYNC} mode: on the next commit of a client write). Its
     * completion promises that much; a client write is never committed in such a window.
     *
     * @param keyspace keyspace name; the first use of a name registers it.
     * @param key      document id.
     * @param stamp    packed HLC stamp of the write.
     * @param nodeId   node id of the timestamp.
     * @param value    buffer holding the value.
     * @param offset   offset of the value.
     * @param length   length of the value.
     * @param handler  told on the node thread when the write committed or failed.
     * @return the write's sequence number, or {@link #BACK_PRESSURED} or {@link #CLOSED}.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws ValueTooLargeException       if the value is longer than the writer's maximum value length.
     * @throws IllegalArgumentException     if the stamp, node id or value range is invalid.
     * @throws IllegalStateException        if {@link StorageWriterContext#maxKeyspaces(int)} names are registered.
     * @throws NullPointerException         if the handler is null.
     */
    public long submitRepairPut(
        final String keyspace,
        final long key,
        final long stamp,
        final int nodeId,
        final DirectBuffer value,
        final int offset,
        final int length,
        final WriteCompletionHandler handler)
    {
        return submitPut(keyspace, key, stamp, nodeId, value, offset, length, handler, true);
    }

    /**
     * Submit a tombstone: mark the key deleted at the timestamp unless the storage holds a later write of it.
     *
     * @param keyspace keyspace name.
     * @param key      document id.
     * @param stamp    packed HLC stamp of the delete.
     * @param nodeId   node id of the timestamp.
     * @param handler  told on the node thread when the write committed or failed.
     * @return the write's sequence number, or {@link #BACK_PRESSURED} or {@link #CLOSED}.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws IllegalArgumentException     if the stamp or node id is invalid.
     * @throws IllegalStateException        if {@link StorageWriterContext#maxKeyspaces(int)} names are registered.
     * @throws NullPointerException         if the handler is null.
     */
    public long submitTombstone(
        final String keyspace, final long key, final long stamp, final int nodeId, final WriteCompletionHandler handler)
    {
        return submitTombstone(keyspace, key, stamp, nodeId, handler, false);
    }

    /**
     * Submit a repair tombstone: as {@link #submitTombstone}, for a delete a replica holds; it travels and commits
     * as {@link #submitRepairPut} describes.
     *
     * @param keyspace keyspace name.
     * @param key      document id.
     * @param stamp    packed HLC stamp of the delete.
     * @param nodeId   node id of the timestamp.
     * @param handler  told on the node thread when the write committed or failed.
     * @return the write's sequence number, or {@link #BACK_PRESSURED} or {@link #CLOSED}.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws IllegalArgumentException     if the stamp or node id is invalid.
     * @throws IllegalStateException        if {@link StorageWriterContext#maxKeyspaces(int)} names are registered.
     * @throws NullPointerException         if the handler is null.
     */
    public long submitRepairTombstone(
        final String keyspace, final long key, final long stamp, final int nodeId, final WriteCompletionHandler handler)
    {
        return submitTombstone(keyspace, key, stamp, nodeId, handler, true);
    }

    /**
     * Submit a tombstone removal (tombstone purge): forget the key's tombstone; a live document is left alone.
     *
     * @param keyspace keyspace name.
     * @param key      document id.
     * @param handler  told on the node thread when the write committed or failed.
     * @return the write's sequence number, or {@link #BACK_PRESSURED} or {@link #CLOSED}.
     * @throws InvalidKeyspaceNameException if the keyspace name is invalid.
     * @throws IllegalStateException        if {@link StorageWriterContext#maxKeyspaces(int)} names are registered.
     * @throws NullPointerException         if the handler is null.
     */
    public long submitRemoveTombstone(final String keyspace, final long key, final WriteCompletionHandler handler)
    {
        final int keyspaceId = keyspaceId(keyspace);
        final int index = claim(WriteBatch.REMOVE_TOMBSTONE, 0, handler);
        if (index < 0)
        {
            return index;
        }
        return publish(index, key, HlcTimestamp.NULL_STAMP, 0, keyspaceId, 0, handler);
    }

    /**
     * Hand finished writes to their handlers, oldest first, on the calling (node) thread. A handler that throws is
     * reported to the error handler; the others still run.
     *
     * @param limit most handler calls to make.
     * @return the number of handler calls made.
     */
    public int drainCompletions(final int limit)
    {
        int delivered = 0;
        while (delivered < limit)
        {
            if (nextToComplete > windowLast)
            {
                if (!completions.poll())
                {
                    break;
                }
                if (completions.polledFirst() != nextToComplete)
                {
                    throw new IllegalStateException("storage writer completions out of order: window starts at " +
                        completions.polledFirst() + ", expected " + nextToComplete);
                }
                windowLast = completions.polledLast();
                windowFailure = completions.polledFailure();
            }
            final long sequence = nextToComplete++;
            final int slot = (int)sequence & pendingMask;
            final WriteCompletionHandler handler = handlers[slot];
            handlers[slot] = null;
            inFlightBytes -= recordLengths[slot];
            delivered++;
            try
            {
                if (null == windowFailure)
                {
                    handler.onWriteCommitted(sequence);
                }
                else
                {
                    handler.onWriteFailed(sequence, windowFailure);
                }
            }
            catch (final RuntimeException ex)
            {
                errorHandler.onError(ex);
            }
        }
        if (nextToComplete > windowLast)
        {
            windowFailure = null;
        }
        return delivered;
    }

    /**
     * On the node thread, once its duty cycle's submits are in: commit them right here if inline commits are on (see
     * the class comment) and the storage can commit without waiting; otherwise leave them to the writer thread.
     * Never waits. Outcomes still reach their handlers through {@link #drainCompletions(int)}: call it next.
     *
     * @return writes committed (or failed) here, 0 when inline commits are off or nothing could be committed.
     */
    public int commitInline()
    {
        return commitInline && !closed ? agent.tryCommitHere() : 0;
    }

    /**
     * Whether {@link #commitInline()} commits: the context asks for it, the writer is not stepped and the storage
     * commits without waiting.
     *
     * @return true if the node thread commits inline when it can.
     */
    public boolean commitsInline()
    {
        return commitInline;
    }

    /**
     * Writes submitted and not yet handed to their handler.
     *
     * @return writes.
     */
    public long inFlightWrites()
    {
        return nextSequence - nextToComplete;
    }

    /**
     * Bytes of writes submitted and not yet handed to their handler, as counted against
     * {@link StorageWriterContext#maxInFlightBytes(int)}.
     *
     * @return bytes.
     */
    public long inFlightBytes()
    {
        return inFlightBytes;
    }

    /**
     * Submits refused with {@link #BACK_PRESSURED}.
     *
     * @return the count.
     */
    public long backPressuredSubmits()
    {
        return backPressuredSubmits;
    }

    /**
     * Storage commits made (each one window, one transaction), failed ones included; readable from any thread.
     *
     * @return the count.
     */
    public long commits()
    {
        return agent.commits();
    }

    /**
     * Storage commits that failed; readable from any thread.
     *
     * @return the count.
     */
    public long failedCommits()
    {
        return agent.failedCommits();
    }

    /**
     * Writes committed successfully; readable from any thread.
     *
     * @return the count.
     */
    public long committedWrites()
    {
        return agent.committedWrites();
    }

    /**
     * The storage the writer commits to (read from it on any thread).
     *
     * @return the storage.
     */
    public Storage storage()
    {
        return storage;
    }

    /**
     * The invoker that steps the writer in stepped mode: each {@code invoke()} is at most one commit window.
     *
     * @return the invoker, or null if the writer runs on its own thread.
     */
    public AgentInvoker invoker()
    {
        return invoker;
    }

    /**
     * Whether the writer is closed.
     *
     * @return true once {@link #close()} was called.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Close: refuse new submits, stop the writer thread (waiting for a commit under way), hand the outcomes of the
     * windows already committed to their handlers, then deal with the writes not yet taken into a window: commit
     * them on the calling thread (default), or fail them with a {@link StorageException} without touching the
     * storage ({@link StorageWriterContext#commitOnClose(boolean)} false). Every write submitted gets exactly one
     * handler call before close returns. If the storage is already closed, commits fail and the handlers hear it.
     * The storage is left open. Idempotent.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (null != runner)
        {
            runner.close();
        }
        else
        {
            invoker.close();
        }
        // The writer has stopped, so this thread is now the only one touching the ring and the storage. Bounded:
        // every turn commits at least one write or hands outcomes over, and no new write can arrive.
        drainCompletions(Integer.MAX_VALUE);
        if (!commitOnClose)
        {
            failUncommitted();
        }
        while (inFlightWrites() > 0)
        {
            if (0 == agent.doWork() && completions.isEmpty())
            {
                throw new IllegalStateException("storage writer lost track of " + inFlightWrites() + " writes");
            }
            drainCompletions(Integer.MAX_VALUE);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "StorageWriter{inFlightWrites=" + inFlightWrites() + ", inFlightBytes=" + inFlightBytes +
            ", commits=" + commits() + (closed ? ", closed}" : "}");
    }

    private long submitPut(
        final String keyspace,
        final long key,
        final long stamp,
        final int nodeId,
        final DirectBuffer value,
        final int offset,
        final int length,
        final WriteCompletionHandler handler,
        final boolean repair)
    {
        final int keyspaceId = keyspaceId(keyspace);
        checkTimestamp(stamp, nodeId);
        if (length > maxValueLength)
        {
            throw new ValueTooLargeException(keyspace, key, length, maxValueLength);
        }
        if (length < 0 || offset < 0 || (long)offset + length > value.capacity())
        {
            throw new IllegalArgumentException("value range [" + offset + ", " + offset + " + " + length +
                ") is outside a buffer of capacity " + value.capacity());
        }
        final int index = claim(WriteRecord.messageType(WriteBatch.PUT, repair), length, handler);
        if (index < 0)
        {
            return index;
        }
        ring.buffer().putBytes(index + WriteRecord.VALUE_OFFSET, value, offset, length);
        return publish(index, key, stamp, nodeId, keyspaceId, length, handler);
    }

    private long submitTombstone(
        final String keyspace,
        final long key,
        final long stamp,
        final int nodeId,
        final WriteCompletionHandler handler,
        final boolean repair)
    {
        final int keyspaceId = keyspaceId(keyspace);
        checkTimestamp(stamp, nodeId);
        final int index = claim(WriteRecord.messageType(WriteBatch.TOMBSTONE, repair), 0, handler);
        if (index < 0)
        {
            return index;
        }
        return publish(index, key, stamp, nodeId, keyspaceId, 0, handler);
    }

    private void failUncommitted()
    {
        final StorageException reason = new StorageException(
            "storage writer closed before committing the write (commitOnClose is false)");
        while (nextToComplete < nextSequence)
        {
            final long sequence = nextToComplete++;
            final int slot = (int)sequence & pendingMask;
            final WriteCompletionHandler handler = handlers[slot];
            handlers[slot] = null;
            inFlightBytes -= recordLengths[slot];
            try
            {
                handler.onWriteFailed(sequence, reason);
            }
            catch (final RuntimeException ex)
            {
                errorHandler.onError(ex);
            }
        }
    }

    private int claim(final int messageType, final int valueLength, final WriteCompletionHandler handler)
    {
        if (null == handler)
        {
            throw new NullPointerException("handler");
        }
        if (closed)
        {
            return (int)CLOSED;
        }
        final int recordLength = WriteRecord.alignedLength(valueLength);
        if (inFlightBytes + recordLength > maxInFlightBytes || nextSequence - nextToComplete > pendingMask)
        {
            backPressuredSubmits++;
            return (int)BACK_PRESSURED;
        }
        final int index = ring.tryClaim(messageType, WriteRecord.VALUE_OFFSET + valueLength);
        if (index < 0)
        {
            // Ring space is freed when the writer takes a window, before its outcome comes back, so this is rare
            // (a record that would wrap past the end); the caller retries like any other back-pressure.
            backPressuredSubmits++;
            return (int)BACK_PRESSURED;
        }
        return index;
    }

    private long publish(
        final int index,
        final long key,
        final long stamp,
        final int nodeId,
        final int keyspaceId,
        final int valueLength,
        final WriteCompletionHandler handler)
    {
        final long sequence = nextSequence++;
        WriteRecord.encode(ring.buffer(), index, sequence, key, stamp, nodeId, keyspaceId);
        final int slot = (int)sequence & pendingMask;
        handlers[slot] = handler;
        final int recordLength = WriteRecord.alignedLength(valueLength);
        recordLengths[slot] = recordLength;
        inFlightBytes += recordLength;
        ring.commit(index);
        return sequence;
    }

    private int keyspaceId(final String keyspace)
    {
        int id = null == keyspace ? NO_KEYSPACE : keyspaceIds.getValue(keyspace);
        if (NO_KEYSPACE == id)
        {
            KeyspaceNames.validate(keyspace);
            if (keyspaceCount == maxKeyspaces)
            {
                throw new IllegalStateException("storage writer already writes " + maxKeyspaces + " keyspaces: " +
                    "raise StorageWriterContext.maxKeyspaces to write '" + keyspace + "'");
            }
            id = keyspaceCount++;
            // Published to the writer by the ring commit of the first record that names it.
            keyspaceNames[id] = keyspace;
            keyspaceIds.put(keyspace, id);
        }
        return id;
    }

    private static void checkTimestamp(final long stamp, final int nodeId)
    {
        if (stamp <= HlcTimestamp.NULL_STAMP)
        {
            throw new IllegalArgumentException("stamp must be a packed HLC stamp > 0: " + stamp);
        }
        HlcTimestamp.checkNodeId(nodeId);
    }
}
