package io.datacake.storage.lmdb;

import io.datacake.clock.HlcTimestamp;
import io.datacake.storage.KeyspaceReadTransaction;
import io.datacake.storage.BulkMutationException;
import io.datacake.storage.MetadataHandler;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.Storage;
import io.datacake.storage.StorageCorruptedException;
import io.datacake.storage.StorageException;
import io.datacake.storage.WriteBatch;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Object2IntHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.GetOp;
import org.lmdbjava.LmdbException;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.datacake.storage.lmdb.LmdbLayout.DATA_HEADER_LENGTH;
import static io.datacake.storage.lmdb.LmdbLayout.KEY_LENGTH;
import static io.datacake.storage.lmdb.LmdbLayout.META_FLAGS_OFFSET;
import static io.datacake.storage.lmdb.LmdbLayout.META_LENGTH;
import static io.datacake.storage.lmdb.LmdbLayout.NODE_ID_OFFSET;
import static io.datacake.storage.lmdb.LmdbLayout.ORDER;
import static io.datacake.storage.lmdb.LmdbLayout.STAMP_OFFSET;
import static io.datacake.storage.lmdb.LmdbLayout.TOMBSTONE_FLAG;

/**
 * A {@link Storage} on LMDB through lmdbjava with Agrona's {@code DirectBuffer} proxy. Reads are views of the
 * mmap'd pages: a value goes from the page to the caller's handler without a copy.
 * <p>
 * <b>On-disk format, version 1.</b> Four named databases; composite keys (keyspace id, document id), so the number
 * of keyspaces is not bounded by LMDB's named-database limit, and metadata iteration never touches value pages:
 * <pre>
 *   datacake.info       "format" -> magic "DCKL" u32 | version u32;  "next-keyspace" -> u32
 *   datacake.keyspaces  name (UTF-8)        -> keyspace id u32
 *   datacake.meta       ksId u32 | key u64  -> stamp u64 | node id u32 | flags u32 (bit 0: tombstone)
 *   datacake.data       ksId u32 | key u64  -> stamp u64 | node id u32 | value bytes   (live documents only)
 * </pre>
 * Integers are big-endian, so LMDB's byte order is keyspace, then unsigned document id. A get is one lookup in
 * {@code datacake.data}; a put reads the old metadata (last write wins) and writes both records.
 * <p>
 * <b>Writes.</b> A {@link WriteBatch} is one LMDB write transaction. When the map is full the transaction is
 * aborted, the map size doubles (up to {@link LmdbStorageConfig#maxMapSizeBytes()}, waiting at most
 * {@link LmdbStorageConfig#resizeWaitTimeoutMs()} for open readers to close) and the batch is retried, so a commit
 * either applies everything or nothing. Durability follows {@link LmdbDurability}; a
 * {@linkplain WriteBatch#refetchable(boolean) refetchable} batch (repair's) commits with
 * {@link LmdbStorageConfig#refetchableDurability()} where that is weaker.
 * <p>
 * <b>Paging.</b> The map is advised as random access unless {@link LmdbStorageConfig#readAhead()} is set: access is by
 * key, and a file larger than the page cache would otherwise page in its neighbours with every fault. So that the
 * first scan after a restart does not fault page by page, an open first reads the file sequentially, up to
 * {@link LmdbStorageConfig#warmUpMaxBytes()}.
 * <p>
 * <b>Reads.</b> Each thread keeps one pooled read transaction, reset between scopes and renewed on
 * {@link #beginRead()} (nested scopes on one thread get a fresh one). A thread that opened a read transaction
 * holds one of {@link LmdbStorageConfig#maxReaders()} reader slots until the storage closes.
 * <p>
 * <b>Opening.</b> A directory holding a file that is not LMDB, an LMDB environment written by another program, or
 * a newer format version fails with {@link StorageCorruptedException} and is not modified.
 */
public final class LmdbStorage implements Storage
{
    static final int NO_KEYSPACE = KeyspaceReadTransaction.NO_KEYSPACE;

    private static final System.Logger LOGGER = System.getLogger(LmdbStorage.class.getName());
    private static final PutFlags[] NO_PUT_FLAGS = new PutFlags[0];
    private static final PutFlags[] REPLACE_CURRENT = { PutFlags.MDB_CURRENT };

    private final Path directory;
    private final LmdbStorageConfig config;
    private final Env<DirectBuffer> env;
    private final Dbi<DirectBuffer> infoDb;
    private final Dbi<DirectBuffer> keyspacesDb;
    private final Dbi<DirectBuffer> metaDb;
    private final Dbi<DirectBuffer> dataDb;
    private final ReaderGate readerGate;
    private final ThreadLocal<LmdbReadTransaction> pooledReaders = new ThreadLocal<>();
    private final Set<LmdbReadTransaction> readers = ConcurrentHashMap.newKeySet();

    // Writer state: used by the single committing thread only.
    private final UnsafeBuffer writeKey = new UnsafeBuffer(ByteBuffer.allocateDirect(KEY_LENGTH));
    private final UnsafeBuffer writeMeta = new UnsafeBuffer(ByteBuffer.allocateDirect(META_LENGTH));
    private final UnsafeBuffer writeInt = new UnsafeBuffer(ByteBuffer.allocateDirect(Integer.BYTES));
    private final Object2IntHashMap<String> pendingKeyspaces = new Object2IntHashMap<>(NO_KEYSPACE);
    private final KeyOrder keyOrder = new KeyOrder();
    private final SyncFlagSwitch syncFlags;
    private final long warmedUpBytes;
    private final int refetchableFlag;
    private int nextKeyspaceId;
    private long mapSizeBytes;
    private volatile long relaxedCommits;

    // Published copy-on-write after each commit that created a keyspace; readers look ids up without locks.
    private volatile Object2IntHashMap<String> keyspaceIds;
    private volatile boolean closed;

    private LmdbStorage(final LmdbStorageConfig config, final Env<DirectBuffer> env, final long warmedUpBytes)
    {
        this.config = config;
        this.directory = config.directory();
        this.env = env;
        this.warmedUpBytes = warmedUpBytes;
        this.readerGate = new ReaderGate(config.resizeWaitTimeoutMs());

        final List<byte[]> names = env.getDbiNames();
        if (names.isEmpty())
        {
            infoDb = env.openDbi(LmdbLayout.INFO_DB, DbiFlags.MDB_CREATE);
            keyspacesDb = env.openDbi(LmdbLayout.KEYSPACES_DB, DbiFlags.MDB_CREATE);
            metaDb = env.openDbi(LmdbLayout.META_DB, DbiFlags.MDB_CREATE);
            dataDb = env.openDbi(LmdbLayout.DATA_DB, DbiFlags.MDB_CREATE);
            writeFormat();
            nextKeyspaceId = 0;
        }
        else
        {
            final List<String> found = new ArrayList<>();
            for (final byte[] name : names)
            {
                found.add(new String(name, StandardCharsets.UTF_8));
            }
            if (!found.contains(LmdbLayout.INFO_DB) || !found.contains(LmdbLayout.KEYSPACES_DB) ||
                !found.contains(LmdbLayout.META_DB) || !found.contains(LmdbLayout.DATA_DB))
            {
                throw new StorageCorruptedException("LMDB environment at " + directory +
                    " was not written by datacake (it holds the databases " + found +
                    "): point the storage at an empty or datacake directory", null);
            }
            infoDb = env.openDbi(LmdbLayout.INFO_DB);
            keyspacesDb = env.openDbi(LmdbLayout.KEYSPACES_DB);
            metaDb = env.openDbi(LmdbLayout.META_DB);
            dataDb = env.openDbi(LmdbLayout.DATA_DB);
            nextKeyspaceId = checkFormat();
        }
        keyspaceIds = loadKeyspaces();
        mapSizeBytes = env.info().mapSize;
        final int flag = SyncFlagSwitch.relaxingFlag(config.durability(), config.refetchableDurability());
        syncFlags = 0 == flag ? null : SyncFlagSwitch.of(env);
        refetchableFlag = null == syncFlags ? 0 : flag;
    }

    /**
     * Open (or create) a storage with default options.
     *
     * @param directory directory of the environment; created if missing.
     * @return the storage.
     * @throws StorageCorruptedException if the directory holds something that is not a datacake LMDB storage.
     * @throws StorageException          if the directory cannot be created or LMDB fails to open.
     */
    public static LmdbStorage open(final Path directory)
    {
        return open(new LmdbStorageConfig(directory));
    }

    /**
     * Open (or create) a storage.
     *
     * @param config options.
     * @return the storage.
     * @throws IllegalArgumentException  if an option is out of range.
     * @throws StorageCorruptedException if the directory holds something that is not a datacake LMDB storage.
     * @throws StorageException          if the directory cannot be created or LMDB fails to open.
     */
    public static LmdbStorage open(final LmdbStorageConfig config)
    {
        config.validate();
        final Path directory = config.directory();
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot create the LMDB directory " + directory, ex);
        }

        LmdbDataFile.checkLength(directory);
        // Before LMDB maps the file, so nothing is left to close if the read fails.
        final long warmedUpBytes = config.readAhead() ? 0 :
            DataFileWarmUp.read(directory.resolve(LmdbDataFile.NAME), config.warmUpMaxBytes());
        final Env<DirectBuffer> env;
        try
        {
            env = Env.create(org.lmdbjava.DirectBufferProxy.PROXY_DB)
                .setMapSize(config.initialMapSizeBytes())
                .setMaxDbs(LmdbLayout.MAX_DBS)
                .setMaxReaders(config.maxReaders())
                .open(directory.toFile(), envFlags(config.durability(), config.readAhead()));
        }
        catch (final Env.FileInvalidException | Env.VersionMismatchException ex)
        {
            throw new StorageCorruptedException("LMDB environment at " + directory +
                " is corrupt or not an LMDB file (" + ex.getMessage() + "): restore it from a replica or backup", ex);
        }
        catch (final LmdbException ex)
        {
            throw new StorageException("cannot open the LMDB environment at " + directory, ex);
        }

        try
        {
            return new LmdbStorage(config, env, warmedUpBytes);
        }
        catch (final StorageException ex)
        {
            env.close();
            throw ex;
        }
        catch (final LmdbException ex)
        {
            env.close();
            throw new StorageCorruptedException(
                "LMDB environment at " + directory + " cannot be read as a datacake storage", ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    public int maxValueLength()
    {
        return config.maxValueLength();
    }

    /**
     * @return the bytes of the data file read at open to warm the page cache
     * ({@link LmdbStorageConfig#warmUpMaxBytes()}); 0 with read-ahead on.
     */
    public long warmedUpBytes()
    {
        return warmedUpBytes;
    }

    /**
     * @return the current map size in bytes; it grows by doubling when a commit finds the map full.
     */
    public long mapSizeBytes()
    {
        return mapSizeBytes;
    }

    /**
     * @return the directory of the environment.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * {@inheritDoc}
     */
    public List<String> keyspaces()
    {
        checkOpen();
        return new ArrayList<>(keyspaceIds.keySet());
    }

    /**
     * {@inheritDoc}
     */
    public ReadTransaction beginRead()
    {
        checkOpen();
        readerGate.enterReader();
        try
        {
            if (closed)
            {
                throw closedException();
            }
            LmdbReadTransaction reader = pooledReaders.get();
            if (null == reader)
            {
                reader = new LmdbReadTransaction(this, true);
                readers.add(reader);
                pooledReaders.set(reader);
            }
            else if (reader.isActive())
            {
                reader = new LmdbReadTransaction(this, false);
                readers.add(reader);
            }
            reader.begin();
            return reader;
        }
        catch (final Env.ReadersFullException ex)
        {
            readerGate.exitReader();
            throw new StorageException("too many LMDB readers (maxReaders " + config.maxReaders() +
                "): close read transactions sooner or raise maxReaders", ex);
        }
        catch (final RuntimeException ex)
        {
            readerGate.exitReader();
            throw ex instanceof StorageException ? ex : new StorageException("cannot begin an LMDB read", ex);
        }
    }

    /**
     * {@inheritDoc}
     */
    public void commit(final WriteBatch batch)
    {
        if (batch.maxValueLength() > config.maxValueLength())
        {
            throw new IllegalArgumentException("batch allows values of " + batch.maxValueLength() +
                " bytes, over this storage's maximum of " + config.maxValueLength() + ": create it with newWriteBatch()");
        }
        checkOpen();
        if (batch.isEmpty())
        {
            return;
        }

        final boolean relaxed = 0 != refetchableFlag && batch.isRefetchable();
        if (relaxed)
        {
            syncFlags.set(refetchableFlag, true);
        }
        try
        {
            commitApplying(batch);
        }
        finally
        {
            if (relaxed)
            {
                syncFlags.set(refetchableFlag, false);
            }
        }
        if (relaxed)
        {
            relaxedCommits++;
        }
    }

    /**
     * Commits of {@linkplain WriteBatch#refetchable(boolean) refetchable} batches made with
     * {@link LmdbStorageConfig#refetchableDurability()} because it is weaker than
     * {@link LmdbStorageConfig#durability()}; readable from any thread.
     *
     * @return the count of such commits that returned.
     */
    public long relaxedCommits()
    {
        return relaxedCommits;
    }

    /**
     * Close every pooled read transaction and the environment. Fails, leaving the environment open, if read
     * transactions stay open longer than {@link LmdbStorageConfig#resizeWaitTimeoutMs()}.
     *
     * @throws StorageException if readers did not close in time.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (!readerGate.tryEnterExclusive())
        {
            throw new StorageException(readerGate.activeReaders() +
                " read transactions are still open; close them before closing the LMDB storage at " + directory);
        }
        for (final LmdbReadTransaction reader : readers)
        {
            reader.release();
        }
        readers.clear();
        env.close();
    }

    Env<DirectBuffer> env()
    {
        return env;
    }

    Dbi<DirectBuffer> dataDb()
    {
        return dataDb;
    }

    ReaderGate readerGate()
    {
        return readerGate;
    }

    void deregister(final LmdbReadTransaction reader)
    {
        readers.remove(reader);
    }

    int keyspaceId(final String keyspace)
    {
        return keyspaceIds.getValue(keyspace);
    }

    int forEachMetadata(
        final Txn<DirectBuffer> txn, final UnsafeBuffer keyBuffer, final int keyspaceId, final MetadataHandler handler)
    {
        try (Cursor<DirectBuffer> cursor = metaDb.openCursor(txn))
        {
            return LmdbReadTransaction.iterate(cursor, keyBuffer, keyspaceId, handler);
        }
        catch (final LmdbException ex)
        {
            throw new StorageException("LMDB metadata iteration failed", ex);
        }
    }

    private void commitApplying(final WriteBatch batch)
    {
        // Bounded retry: every retry follows a doubling of the map, and growMap throws once the map is at
        // maxMapSizeBytes, so a commit retries at most log2(maxMapSizeBytes / initialMapSizeBytes) times.
        while (true)
        {
            final int firstNewId = nextKeyspaceId;
            pendingKeyspaces.clear();
            Txn<DirectBuffer> txn = null;
            try
            {
                txn = env.txnWrite();
                // One metadata cursor per transaction: the last-write-wins read positions it, so an overwrite is
                // done in place (MDB_CURRENT) without a second descent of the metadata tree.
                try (Cursor<DirectBuffer> metaCursor = metaDb.openCursor(txn))
                {
                    final int[] order = keyOrder.sort(batch);
                    for (int i = 0, size = batch.size(); i < size; i++)
                    {
                        apply(txn, metaCursor, batch, order[i]);
                    }
                }
                if (nextKeyspaceId != firstNewId)
                {
                    writeInt.putInt(0, nextKeyspaceId, ORDER);
                    infoDb.put(txn, ascii(LmdbLayout.NEXT_KEYSPACE_KEY), writeInt, NO_PUT_FLAGS);
                }
                txn.commit();
            }
            catch (final Env.MapFullException ex)
            {
                closeQuietly(txn);
                nextKeyspaceId = firstNewId;
                growMap(ex);
                continue;
            }
            catch (final RuntimeException ex)
            {
                closeQuietly(txn);
                nextKeyspaceId = firstNewId;
                throw BulkMutationException.nothingApplied(
                    "LMDB commit of " + batch.size() + " operations failed and was rolled back", ex);
            }
            closeQuietly(txn);
            publishKeyspaces();
            batch.clear();
            return;
        }
    }

    private void apply(
        final Txn<DirectBuffer> txn, final Cursor<DirectBuffer> metaCursor, final WriteBatch batch, final int index)
    {
        final byte type = batch.type(index);
        final String keyspace = batch.keyspace(index);
        final long key = batch.key(index);

        if (WriteBatch.REMOVE_TOMBSTONE == type)
        {
            final int keyspaceId = existingKeyspaceId(keyspace);
            if (keyspaceId != NO_KEYSPACE)
            {
                LmdbLayout.encodeKey(writeKey, keyspaceId, key);
                if (metaCursor.get(writeKey, GetOp.MDB_SET_KEY) && LmdbLayout.isTombstone(metaCursor.val()))
                {
                    metaCursor.delete(NO_PUT_FLAGS);
                }
            }
            return;
        }

        final long stamp = batch.stamp(index);
        final int nodeId = batch.nodeId(index);
        LmdbLayout.encodeKey(writeKey, keyspaceIdForWrite(txn, keyspace), key);
        final boolean exists = metaCursor.get(writeKey, GetOp.MDB_SET_KEY);
        if (exists)
        {
            final DirectBuffer existing = metaCursor.val();
            final int order =
                HlcTimestamp.compare(stamp, nodeId, LmdbLayout.stamp(existing), LmdbLayout.nodeId(existing));
            if (!wins(order, type, LmdbLayout.isTombstone(existing)))
            {
                return; // last write wins: an older or replayed write changes nothing
            }
        }

        final boolean tombstone = WriteBatch.TOMBSTONE == type;
        writeMeta.putLong(STAMP_OFFSET, stamp, ORDER);
        writeMeta.putInt(NODE_ID_OFFSET, nodeId, ORDER);
        writeMeta.putInt(META_FLAGS_OFFSET, tombstone ? TOMBSTONE_FLAG : 0, ORDER);
        metaCursor.put(writeKey, writeMeta, exists ? REPLACE_CURRENT : NO_PUT_FLAGS);

        if (tombstone)
        {
            dataDb.delete(txn, writeKey);
        }
        else
        {
            final int length = batch.valueLength(index);
            final MutableDirectBuffer record =
                (MutableDirectBuffer)dataDb.reserve(txn, writeKey, DATA_HEADER_LENGTH + length, NO_PUT_FLAGS);
            record.putLong(STAMP_OFFSET, stamp, ORDER);
            record.putInt(NODE_ID_OFFSET, nodeId, ORDER);
            batch.copyValue(index, record, DATA_HEADER_LENGTH);
        }
    }

    private static boolean wins(final int order, final byte type, final boolean storedTombstone)
    {
        // later timestamp wins; on the very same timestamp a put beats a tombstone (the ORSWOT's tie rule)
        return order > 0 || (order == 0 && WriteBatch.PUT == type && storedTombstone);
    }

    private int existingKeyspaceId(final String keyspace)
    {
        final int id = keyspaceIds.getValue(keyspace);
        return id != NO_KEYSPACE ? id : pendingKeyspaces.getValue(keyspace);
    }

    private int keyspaceIdForWrite(final Txn<DirectBuffer> txn, final String keyspace)
    {
        final int existing = existingKeyspaceId(keyspace);
        if (existing != NO_KEYSPACE)
        {
            return existing;
        }
        if (nextKeyspaceId == Integer.MAX_VALUE)
        {
            throw new IllegalStateException("keyspace ids exhausted");
        }
        final int id = nextKeyspaceId++;
        writeInt.putInt(0, id, ORDER);
        keyspacesDb.put(txn, utf8(keyspace), writeInt, NO_PUT_FLAGS);
        pendingKeyspaces.put(keyspace, id);
        return id;
    }

    private void publishKeyspaces()
    {
        if (!pendingKeyspaces.isEmpty())
        {
            final Object2IntHashMap<String> next = new Object2IntHashMap<>(keyspaceIds);
            next.putAll(pendingKeyspaces);
            keyspaceIds = next;
            pendingKeyspaces.clear();
        }
    }

    private void growMap(final Env.MapFullException cause)
    {
        final long max = config.maxMapSizeBytes();
        if (mapSizeBytes >= max)
        {
            throw BulkMutationException.nothingApplied("LMDB map is full at its maximum of " + max +
                " bytes: raise maxMapSizeBytes or free space (nothing was written)", cause);
        }
        final long newSize = Math.min(max, mapSizeBytes * 2);
        if (!readerGate.tryEnterExclusive())
        {
            throw BulkMutationException.nothingApplied("LMDB map is full and " + readerGate.activeReaders() +
                " read transactions stayed open for " + config.resizeWaitTimeoutMs() +
                " ms, so it could not grow: keep read scopes short (nothing was written)", cause);
        }
        try
        {
            env.setMapSize(newSize);
            mapSizeBytes = env.info().mapSize;
        }
        finally
        {
            readerGate.exitExclusive();
        }
        LOGGER.log(System.Logger.Level.INFO, "LMDB map at {0} grew to {1} bytes", directory, mapSizeBytes);
    }

    private void writeFormat()
    {
        try (Txn<DirectBuffer> txn = env.txnWrite())
        {
            final UnsafeBuffer format = new UnsafeBuffer(ByteBuffer.allocateDirect(2 * Integer.BYTES));
            format.putInt(0, LmdbLayout.MAGIC, ORDER);
            format.putInt(Integer.BYTES, LmdbLayout.FORMAT_VERSION, ORDER);
            infoDb.put(txn, ascii(LmdbLayout.FORMAT_KEY), format, NO_PUT_FLAGS);
            writeInt.putInt(0, 0, ORDER);
            infoDb.put(txn, ascii(LmdbLayout.NEXT_KEYSPACE_KEY), writeInt, NO_PUT_FLAGS);
            txn.commit();
        }
    }

    private int checkFormat()
    {
        try (Txn<DirectBuffer> txn = env.txnRead())
        {
            final DirectBuffer format = infoDb.get(txn, ascii(LmdbLayout.FORMAT_KEY));
            if (null == format || format.capacity() != 2 * Integer.BYTES || format.getInt(0, ORDER) != LmdbLayout.MAGIC)
            {
                throw new StorageCorruptedException("LMDB environment at " + directory +
                    " has no valid datacake format record: it was not written by datacake or is damaged", null);
            }
            final int version = format.getInt(Integer.BYTES, ORDER);
            if (version != LmdbLayout.FORMAT_VERSION)
            {
                throw new StorageCorruptedException("LMDB environment at " + directory + " has format version " +
                    version + ", this build reads version " + LmdbLayout.FORMAT_VERSION +
                    ": open it with a matching datacake version", null);
            }
            final DirectBuffer next = infoDb.get(txn, ascii(LmdbLayout.NEXT_KEYSPACE_KEY));
            if (null == next || next.capacity() != Integer.BYTES)
            {
                throw new StorageCorruptedException(
                    "LMDB environment at " + directory + " lacks its keyspace counter: it is damaged", null);
            }
            return next.getInt(0, ORDER);
        }
    }

    private Object2IntHashMap<String> loadKeyspaces()
    {
        final Object2IntHashMap<String> ids = new Object2IntHashMap<>(NO_KEYSPACE);
        try (Txn<DirectBuffer> txn = env.txnRead(); Cursor<DirectBuffer> cursor = keyspacesDb.openCursor(txn))
        {
            boolean found = cursor.first();
            while (found)
            {
                final DirectBuffer name = cursor.key();
                final int id = cursor.val().getInt(0, ORDER);
                ids.put(name.getStringWithoutLengthUtf8(0, name.capacity()), id);
                found = cursor.next();
            }
        }
        return ids;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw closedException();
        }
    }

    private StorageException closedException()
    {
        return new StorageException("LMDB storage at " + directory + " is closed");
    }

    private static void closeQuietly(final Txn<DirectBuffer> txn)
    {
        if (null != txn)
        {
            try
            {
                txn.close();
            }
            catch (final LmdbException ignore)
            {
                // the transaction is already finished or aborted; nothing else to release
            }
        }
    }

    private static EnvFlags[] envFlags(final LmdbDurability durability, final boolean readAhead)
    {
        final EnumSet<EnvFlags> flags = EnumSet.of(EnvFlags.MDB_NOTLS);
        if (LmdbDurability.NO_META_SYNC == durability)
        {
            flags.add(EnvFlags.MDB_NOMETASYNC);
        }
        else if (LmdbDurability.NO_SYNC == durability)
        {
            flags.add(EnvFlags.MDB_NOSYNC);
        }
        if (!readAhead)
        {
            flags.add(EnvFlags.MDB_NORDAHEAD);
        }
        return flags.toArray(new EnvFlags[0]);
    }

    private static UnsafeBuffer ascii(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes.length));
        buffer.putBytes(0, bytes);
        return buffer;
    }

    private static UnsafeBuffer utf8(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes.length));
        buffer.putBytes(0, bytes);
        return buffer;
    }
}
