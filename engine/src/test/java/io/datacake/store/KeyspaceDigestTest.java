package io.datacake.store;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.membership.StaticClusterView;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.storage.InvalidKeyspaceNameException;
import io.datacake.storage.MemoryStorage;
import io.datacake.transport.InProcessNetwork;
import io.datacake.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link StoreHandle#keyspaceDigest(String)}: equal on members holding the same last writes, different otherwise,
 * read on two nodes with their own threads (waits bounded by a generous deadline, assertions on data only).
 */
final class KeyspaceDigestTest
{
    private static final long DEADLINE_SECONDS = 30;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    @Test
    void membersHoldingTheSameLastWritesHaveEqualDigestsThatFollowEveryWrite() throws Exception
    {
        final InProcessNetwork network = new InProcessNetwork();
        final Transport transport1 = network.newTransport();
        final Transport transport2 = network.newTransport();
        final StoreHandle handle1 = start(1, transport1, new StaticClusterView(1, "dc", transport1.localEndpoint())
            .addMember(2, "dc", transport2.localEndpoint()));
        final StoreHandle handle2 = start(2, transport2, new StaticClusterView(2, "dc", transport2.localEndpoint())
            .addMember(1, "dc", transport1.localEndpoint()));

        assertThat(digest(handle1, "docs")).as("no keyspace yet").isZero();

        handle1.putAndWait("docs", 1, bytes("one"), ConsistencyLevel.ALL);
        final long afterPut = digest(handle1, "docs");
        assertThat(afterPut).isNotZero();
        assertThat(digest(handle2, "docs")).isEqualTo(afterPut);

        handle2.putAndWait("docs", 1, bytes("uno"), ConsistencyLevel.ALL);
        final long afterOverwrite = digest(handle2, "docs");
        assertThat(afterOverwrite).as("a newer write of the key changes the digest").isNotEqualTo(afterPut);
        assertThat(digest(handle1, "docs")).isEqualTo(afterOverwrite);

        handle1.deleteAndWait("docs", 1, ConsistencyLevel.ALL);
        final long afterDelete = digest(handle1, "docs");
        assertThat(afterDelete).as("a tombstone is a last write too").isNotZero().isNotEqualTo(afterOverwrite);
        assertThat(digest(handle2, "docs")).isEqualTo(afterDelete);
        assertThat(digest(handle2, "other")).isZero();
    }

    @Test
    void membersHoldingDifferentWritesHaveDifferentDigests() throws Exception
    {
        final InProcessNetwork network = new InProcessNetwork();
        final Transport transport1 = network.newTransport();
        final Transport transport2 = network.newTransport();
        // Two single-node clusters: nothing travels between them.
        final StoreHandle alone1 = start(1, transport1, new StaticClusterView(1, "dc", transport1.localEndpoint()));
        final StoreHandle alone2 = start(2, transport2, new StaticClusterView(2, "dc", transport2.localEndpoint()));

        alone1.putAndWait("docs", 1, bytes("same"), ConsistencyLevel.NONE);
        assertThat(digest(alone1, "docs")).isNotEqualTo(digest(alone2, "docs"));

        alone2.putAndWait("docs", 1, bytes("same"), ConsistencyLevel.NONE);
        assertThat(digest(alone1, "docs")).as("same key and value, another writing node and stamp")
            .isNotEqualTo(digest(alone2, "docs"));
    }

    @Test
    void aBadKeyspaceNameIsRefusedBeforeAnythingIsQueued()
    {
        final InProcessNetwork network = new InProcessNetwork();
        final Transport transport = network.newTransport();
        final StoreHandle handle = start(1, transport, new StaticClusterView(1, "dc", transport.localEndpoint()));

        assertThatThrownBy(() -> handle.keyspaceDigest("")).isInstanceOf(InvalidKeyspaceNameException.class);
    }

    private StoreHandle start(final int nodeId, final Transport transport, final StaticClusterView view)
    {
        final MemoryStorage storage = new MemoryStorage();
        resources.add(storage);
        final ReplicatedStore store = new ReplicatedStore(new StoreContext().storage(storage).clusterView(view));
        final Node node = Node.launch(new NodeContext().nodeId(nodeId).transport(transport).ownsTransport(true)
            .addComponent(store));
        resources.add(node);
        return store.handle(node);
    }

    private static long digest(final StoreHandle handle, final String keyspace) throws Exception
    {
        return handle.keyspaceDigest(keyspace).get(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
