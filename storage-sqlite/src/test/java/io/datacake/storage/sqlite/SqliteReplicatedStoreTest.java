package io.datacake.storage.sqlite;

import io.datacake.storage.Storage;
import io.datacake.storage.tck.ReplicatedStoreScenarios;

import java.nio.file.Path;

/**
 * The replicated store on SQLite: every scenario of {@link ReplicatedStoreScenarios} (one node, three nodes at each
 * level, a restart of every node rebuilding from its database, several keyspaces, a node joining, leaving and
 * rejoining), each node on its own database file.
 */
class SqliteReplicatedStoreTest extends ReplicatedStoreScenarios
{
    protected Storage openStorage(final Path directory)
    {
        return SqliteStorage.open(directory.resolve("store.db"));
    }
}
