package io.datacake.store;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.storage.InvalidKeyspaceNameException;
import io.datacake.transport.InProcessNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
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

    private final StandaloneStores stores = new StandaloneStores();

    @AfterEach
    void close() throws Exception
    {
        stores.close();
    }

    @Test
    void membersHoldingTheSameLastWritesHaveEqualDigestsThatFollowEveryWrite() throws Exception
    {
        final List<StoreHandle> pair = stores.pair(new InProcessNetwork());
        final StoreHandle handle1 = pair.get(0);
        final StoreHandle handle2 = pair.get(1);

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
        // Two single-node clusters: nothing travels between them.
        final StoreHandle alone1 = stores.alone(1, network.newTransport());
        final StoreHandle alone2 = stores.alone(2, network.newTransport());

        alone1.putAndWait("docs", 1, bytes("same"), ConsistencyLevel.NONE);
        assertThat(digest(alone1, "docs")).isNotEqualTo(digest(alone2, "docs"));

        alone2.putAndWait("docs", 1, bytes("same"), ConsistencyLevel.NONE);
        assertThat(digest(alone1, "docs")).as("same key and value, another writing node and stamp")
            .isNotEqualTo(digest(alone2, "docs"));
    }

    @Test
    void aBadKeyspaceNameIsRefusedBeforeAnythingIsQueued()
    {
        final StoreHandle handle = stores.alone(1, new InProcessNetwork().newTransport());

        assertThatThrownBy(() -> handle.keyspaceDigest("")).isInstanceOf(InvalidKeyspaceNameException.class);
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
