package io.datacake.storage.sqlite;

import io.datacake.storage.KeyspaceReadTransaction;
import io.datacake.storage.BulkMutationException;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.Storage;
import io.datacake.storage.StorageCorruptedException;
import io.datacake.storage.StorageException;
import io.datacake.storage.WriteBatch;
import org.agrona.collections.Object2IntHashMap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link Storage} on SQLite through sqlite-jdbc, in WAL mode so readers on their own connections run beside the
 * single writer. The schema is created on first open and checked on every open: the file is marked with
 * {@code PRAGMA application_id} "DCKS" and versioned with {@code PRAGMA user_version} (version 1):
 * <pre>
 *   keyspaces(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)
 *   entries(keyspace_id, doc_id, stamp, node_id, tombstone, data BLOB,
 *           PRIMARY KEY(keyspace_id, doc_id)) WITHOUT ROWID
 * </pre>
 * <p>
 * <b>Writes.</b> One writer connection with prepared statements created once and reused. A {@link WriteBatch} is
 * one SQLite transaction; consecutive operations of the same kind go to SQLite as one JDBC batch, preserving the
 * batch's order. A failed commit is rolled back entirely. Last-write-wins is evaluated by SQLite inside the upsert.
 * <p>
 * <b>Reads.</b> Each thread keeps one reader connection (a nested scope opens a temporary one), bounded by
 * {@link #MAX_READER_CONNECTIONS}. JDBC returns values as {@code byte[]}: reads copy once out of SQLite, unlike
 * LMDB's zero-copy views.
 * <p>
 * <b>Opening.</b> A file that is not SQLite, an SQLite database of another program, or a newer schema version
 * fails with {@link StorageCorruptedException} and is not modified.
 */
public final class SqliteStorage implements Storage
{
    /** Bound on reader connections open at once (one per reading thread, plus nested scopes). */
    public static final int MAX_READER_CONNECTIONS = 64;

    static final int NO_KEYSPACE = KeyspaceReadTransaction.NO_KEYSPACE;

    private static final int SQLITE_NOTADB = 26;
    private static final int SQLITE_CORRUPT = 11;

    private final SqliteStorageConfig config;
    private final String url;
    private final Connection writer;
    private final PreparedStatement put;
    private final PreparedStatement tombstone;
    private final PreparedStatement removeTombstone;
    private final PreparedStatement insertKeyspace;
    private final ThreadLocal<SqliteReadTransaction> pooledReaders = new ThreadLocal<>();
    private final Set<SqliteReadTransaction> readers = ConcurrentHashMap.newKeySet();
    private final Object2IntHashMap<String> pendingKeyspaces = new Object2IntHashMap<>(NO_KEYSPACE);
    private int nextKeyspaceId;
    private volatile Object2IntHashMap<String> keyspaceIds;
    private volatile boolean closed;

    private SqliteStorage(final SqliteStorageConfig config, final String url, final Connection writer)
        throws SQLException
    {
        this.config = config;
        this.url = url;
        this.writer = writer;
        prepareSchema();
        writer.setAutoCommit(false);
        put = writer.prepareStatement(SqliteSchema.PUT);
        tombstone = writer.prepareStatement(SqliteSchema.TOMBSTONE);
        removeTombstone = writer.prepareStatement(SqliteSchema.REMOVE_TOMBSTONE);
        insertKeyspace = writer.prepareStatement(SqliteSchema.INSERT_KEYSPACE);
        keyspaceIds = loadKeyspaces();
    }

    /**
     * Open (or create) a storage with default options.
     *
     * @param file the database file.
     * @return the storage.
     * @throws StorageCorruptedException if the file is not a datacake SQLite storage.
     * @throws StorageException          if SQLite fails to open it.
     */
    public static SqliteStorage open(final Path file)
    {
        return open(new SqliteStorageConfig(file));
    }

    /**
     * Open (or create) a storage.
     *
     * @param config options.
     * @return the storage.
     * @throws IllegalArgumentException  if an option is out of range.
     * @throws StorageCorruptedException if the file is not a datacake SQLite storage.
     * @throws StorageException          if SQLite fails to open it.
     */
    public static SqliteStorage open(final SqliteStorageConfig config)
    {
        config.validate();
        final Path file = config.file().toAbsolutePath();
        try
        {
            if (null != file.getParent())
            {
                Files.createDirectories(file.getParent());
            }
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot create the directory of " + file, ex);
        }

        SqliteFileHeader.checkLength(file);
        final String url = "jdbc:sqlite:" + file;
        Connection writer = null;
        try
        {
            writer = DriverManager.getConnection(url);
            return new SqliteStorage(config, url, writer);
        }
        catch (final SQLException ex)
        {
            closeQuietly(writer);
            if (ex.getErrorCode() == SQLITE_NOTADB || ex.getErrorCode() == SQLITE_CORRUPT)
            {
                throw new StorageCorruptedException("SQLite file " + file +
                    " is corrupt or not a database (" + ex.getMessage() + "): restore it from a replica or backup", ex);
            }
            throw new StorageException("cannot open the SQLite storage at " + file, ex);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(writer);
            throw ex;
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
        SqliteReadTransaction reader = pooledReaders.get();
        try
        {
            if (null == reader)
            {
                reader = newReader(true);
                pooledReaders.set(reader);
            }
            else if (reader.isActive())
            {
                reader = newReader(false);
            }
        }
        catch (final SQLException ex)
        {
            throw new StorageException("cannot open an SQLite reader connection on " + config.file(), ex);
        }
        reader.begin();
        return reader;
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

        final int firstNewId = nextKeyspaceId;
        pendingKeyspaces.clear();
        try
        {
            final int size = batch.size();
            int runStart = 0;
            while (runStart < size)
            {
                final byte type = batch.type(runStart);
                int runEnd = runStart;
                while (runEnd < size && batch.type(runEnd) == type)
                {
                    runEnd++;
                }
                applyRun(batch, type, runStart, runEnd);
                runStart = runEnd;
            }
            writer.commit();
        }
        catch (final SQLException ex)
        {
            rollbackQuietly();
            pendingKeyspaces.clear();
            nextKeyspaceId = firstNewId;
            throw BulkMutationException.nothingApplied(
                "SQLite commit of " + batch.size() + " operations failed and was rolled back", ex);
        }
        publishKeyspaces();
        batch.clear();
    }

    /**
     * Close the writer and every reader connection; close read transactions first.
     *
     * @throws StorageException if SQLite fails to close a connection.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final SqliteReadTransaction reader : readers)
        {
            reader.release();
        }
        try
        {
            put.close();
            tombstone.close();
            removeTombstone.close();
            insertKeyspace.close();
            writer.close();
        }
        catch (final SQLException ex)
        {
            throw new StorageException("failed to close the SQLite storage at " + config.file(), ex);
        }
    }

    int keyspaceId(final String keyspace)
    {
        return keyspaceIds.getValue(keyspace);
    }

    void deregister(final SqliteReadTransaction reader)
    {
        readers.remove(reader);
    }

    private SqliteReadTransaction newReader(final boolean pooled) throws SQLException
    {
        if (readers.size() >= MAX_READER_CONNECTIONS)
        {
            throw new StorageException("too many SQLite reader connections (" + MAX_READER_CONNECTIONS +
                "): close read transactions sooner or read from fewer threads");
        }
        final Connection connection = DriverManager.getConnection(url);
        try (Statement statement = connection.createStatement())
        {
            statement.execute("PRAGMA busy_timeout = " + config.busyTimeoutMs());
            statement.execute("PRAGMA query_only = 1");
        }
        final SqliteReadTransaction reader = new SqliteReadTransaction(this, pooled, connection);
        readers.add(reader);
        return reader;
    }

    private void applyRun(final WriteBatch batch, final byte type, final int from, final int to) throws SQLException
    {
        final PreparedStatement statement;
        switch (type)
        {
            case WriteBatch.PUT:
                statement = put;
                for (int i = from; i < to; i++)
                {
                    bindKey(statement, batch, i);
                    statement.setLong(3, batch.stamp(i));
                    statement.setInt(4, batch.nodeId(i));
                    final byte[] value = new byte[batch.valueLength(i)]; // JDBC binds whole arrays
                    batch.valueBuffer().getBytes(batch.valueOffset(i), value);
                    statement.setBytes(5, value);
                    statement.addBatch();
                }
                break;

            case WriteBatch.TOMBSTONE:
                statement = tombstone;
                for (int i = from; i < to; i++)
                {
                    bindKey(statement, batch, i);
                    statement.setLong(3, batch.stamp(i));
                    statement.setInt(4, batch.nodeId(i));
                    statement.addBatch();
                }
                break;

            default:
                statement = removeTombstone;
                int added = 0;
                for (int i = from; i < to; i++)
                {
                    final int keyspaceId = existingKeyspaceId(batch.keyspace(i));
                    if (keyspaceId != NO_KEYSPACE)
                    {
                        statement.setInt(1, keyspaceId);
                        statement.setLong(2, batch.key(i));
                        statement.addBatch();
                        added++;
                    }
                }
                if (0 == added)
                {
                    return;
                }
                break;
        }
        statement.executeBatch();
    }

    private void bindKey(final PreparedStatement statement, final WriteBatch batch, final int index)
        throws SQLException
    {
        statement.setInt(1, keyspaceIdForWrite(batch.keyspace(index)));
        statement.setLong(2, batch.key(index));
    }

    private int existingKeyspaceId(final String keyspace)
    {
        final int id = keyspaceIds.getValue(keyspace);
        return id != NO_KEYSPACE ? id : pendingKeyspaces.getValue(keyspace);
    }

    private int keyspaceIdForWrite(final String keyspace) throws SQLException
    {
        final int existing = existingKeyspaceId(keyspace);
        if (existing != NO_KEYSPACE)
        {
            return existing;
        }
        final int id = nextKeyspaceId++;
        insertKeyspace.setInt(1, id);
        insertKeyspace.setString(2, keyspace);
        insertKeyspace.executeUpdate();
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

    private void prepareSchema() throws SQLException
    {
        final Path file = config.file();
        try (Statement statement = writer.createStatement())
        {
            statement.execute("PRAGMA busy_timeout = " + config.busyTimeoutMs());
            final int applicationId = queryInt(statement, "PRAGMA application_id");
            final int version = queryInt(statement, "PRAGMA user_version");
            final int tables = queryInt(statement, "SELECT count(*) FROM sqlite_master");

            if (0 == applicationId && 0 == version && 0 == tables)
            {
                setJournalMode(statement);
                writer.setAutoCommit(false);
                for (final String sql : SqliteSchema.CREATE)
                {
                    statement.execute(sql);
                }
                writer.commit();
                writer.setAutoCommit(true);
            }
            else if (applicationId != SqliteSchema.APPLICATION_ID)
            {
                throw new StorageCorruptedException("SQLite file " + file + " was not written by datacake " +
                    "(application_id " + applicationId + ", " + tables + " schema objects): " +
                    "point the storage at a new or datacake file", null);
            }
            else if (version != SqliteSchema.VERSION)
            {
                throw new StorageCorruptedException("SQLite file " + file + " has schema version " + version +
                    ", this build reads version " + SqliteSchema.VERSION + ": open it with a matching datacake version",
                    null);
            }
            else
            {
                setJournalMode(statement);
            }
            statement.execute("PRAGMA synchronous = " + config.durability().name());
            statement.execute("PRAGMA temp_store = MEMORY");
        }
    }

    private void setJournalMode(final Statement statement) throws SQLException
    {
        try (ResultSet row = statement.executeQuery("PRAGMA journal_mode = WAL"))
        {
            final String mode = row.next() ? row.getString(1) : "";
            if (!"wal".equals(mode.toLowerCase(Locale.ROOT)))
            {
                throw new StorageException("SQLite refused WAL mode for " + config.file() + " (mode: " + mode + ")");
            }
        }
    }

    private Object2IntHashMap<String> loadKeyspaces() throws SQLException
    {
        final Object2IntHashMap<String> ids = new Object2IntHashMap<>(NO_KEYSPACE);
        int maxId = -1;
        try (Statement statement = writer.createStatement();
            ResultSet rows = statement.executeQuery(SqliteSchema.SELECT_KEYSPACES))
        {
            while (rows.next())
            {
                final int id = rows.getInt(1);
                final String name = rows.getString(2);
                // The schema forbids both, so only a damaged page produces them.
                if (null == name || id < 0 || ids.containsKey(name))
                {
                    throw new StorageCorruptedException("SQLite file " + config.file().toAbsolutePath() +
                        " is corrupt: its keyspace table holds " + (null == name ? "a row without a name" :
                        "keyspace '" + name + "' with id " + id + " twice or with a negative id") +
                        "; restore it from a replica or backup", null);
                }
                ids.put(name, id);
                maxId = Math.max(maxId, id);
            }
        }
        writer.commit();
        nextKeyspaceId = maxId + 1;
        return ids;
    }

    private static int queryInt(final Statement statement, final String sql) throws SQLException
    {
        try (ResultSet row = statement.executeQuery(sql))
        {
            return row.next() ? row.getInt(1) : 0;
        }
    }

    private void rollbackQuietly()
    {
        try
        {
            writer.rollback();
        }
        catch (final SQLException ignore)
        {
            // the transaction is gone either way; the next commit starts a new one
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new StorageException("SQLite storage at " + config.file() + " is closed");
        }
    }

    private static void closeQuietly(final Connection connection)
    {
        if (null != connection)
        {
            try
            {
                connection.close();
            }
            catch (final SQLException ignore)
            {
                // opening failed already; that error is the one reported
            }
        }
    }
}
