package io.datacake.storage.lmdb;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.membership.StaticClusterView;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.storage.DocumentView;
import io.datacake.storage.ReadTransaction;
import io.datacake.storage.Storage;
import io.datacake.storage.tck.ReplicatedStoreScenarios;
import io.datacake.store.KeyspaceHandle;
import io.datacake.store.ReplicatedStore;
import io.datacake.store.StoreContext;
import io.datacake.transport.InProcessNetwork;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The replicated store on LMDB: every scenario of {@link ReplicatedStoreScenarios} (one node, three nodes at each
 * level, a restart of every node rebuilding from its LMDB directory, several keyspaces, a node joining, leaving and
 * rejoining), and the handle's in-place read handing out the memory-mapped page itself.
 */
class LmdbReplicatedStoreTest extends ReplicatedStoreScenarios
{
    @TempDir
    Path lmdbDirectory;

    protected Storage openStorage(final Path directory)
    {
        return LmdbStorage.open(directory);
    }

    @Test
    void theHandlesInPlaceReadIsAViewOfTheMemoryMappedPage() throws IOException
    {
        try (LmdbStorage storage = LmdbStorage.open(lmdbDirectory))
        {
            final ReplicatedStore store = new ReplicatedStore(new StoreContext().storage(storage)
                .clusterView(new StaticClusterView(1, "dc", "node-1")));
            try (Node node = Node.launch(new NodeContext().nodeId(1)
                .transport(new InProcessNetwork().newTransport("node-1")).ownsTransport(true).addComponent(store)))
            {
                final KeyspaceHandle docs = store.handle(node).keyspace("docs");
                docs.putAndWait(9, "mapped value".getBytes(StandardCharsets.US_ASCII), ConsistencyLevel.NONE);
                final long[] mapping = LmdbStorageTest.dataFileMapping(lmdbDirectory.resolve("data.mdb"));
                final long[] address = new long[1];
                final String[] seen = new String[1];
                final DirectBuffer[] kept = new DirectBuffer[1];

                assertThat(docs.read(9, (key, stamp, nodeId, value) ->
                {
                    seen[0] = value.getStringWithoutLengthAscii(0, value.capacity());
                    address[0] = value.addressOffset();
                    assertThat(value.byteArray()).as("no heap copy").isNull();
                    kept[0] = value;
                })).isTrue();

                assertThat(seen[0]).isEqualTo("mapped value");
                assertThat(address[0]).as("the value's address lies in the data.mdb mapping")
                    .isBetween(mapping[0], mapping[1] - 1);
                try (ReadTransaction txn = storage.beginRead())
                {
                    final DocumentView direct = new DocumentView();
                    assertThat(txn.get("docs", 9, direct)).isTrue();
                    assertThat(address[0]).as("the very bytes the storage hands out, not a copy")
                        .isEqualTo(direct.value().addressOffset());
                }
                assertThat(kept[0].capacity()).as("detached once the reader returned").isZero();
                assertThatThrownBy(() -> kept[0].getByte(0)).isInstanceOf(IndexOutOfBoundsException.class);
            }
        }
    }
}
