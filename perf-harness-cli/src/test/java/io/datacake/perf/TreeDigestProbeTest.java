package io.datacake.perf;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.store.StandaloneStores;
import io.datacake.store.StoreHandle;
import io.datacake.transport.InProcessNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tree digest probe on nodes over the in-process transport: equal when every node holds the same last writes,
 * not equal when one node holds a write the other lacks.
 */
final class TreeDigestProbeTest
{
    private static final long READ_TIMEOUT_MS = 30_000;
    private static final String KEYSPACE = WorkloadSettings.keyspaceName(0);

    private final StandaloneStores stores = new StandaloneStores();

    @AfterEach
    void close() throws Exception
    {
        stores.close();
    }

    @Test
    void aWriteOnlyOneNodeHoldsMakesTheDigestsDiffer() throws Exception
    {
        final InProcessNetwork network = new InProcessNetwork();
        // Two single-node clusters: a write on one never reaches the other.
        final StoreHandle alone1 = stores.alone(1, network.newTransport());
        final StoreHandle alone2 = stores.alone(2, network.newTransport());
        final TreeDigestProbe probe = new TreeDigestProbe(List.of(alone1, alone2), 1, READ_TIMEOUT_MS);
        assertThat(probe.equal()).as("both empty").isTrue();

        alone1.putAndWait(KEYSPACE, 1, new byte[]{ 1 }, ConsistencyLevel.NONE);

        assertThat(probe.equal()).isFalse();
    }

    @Test
    void replicasHoldingEveryWriteHaveEqualDigests() throws Exception
    {
        final List<StoreHandle> pair = stores.pair(new InProcessNetwork());

        pair.get(0).putAndWait(KEYSPACE, 1, new byte[]{ 1 }, ConsistencyLevel.ALL);
        pair.get(1).putAndWait(KEYSPACE, 2, new byte[]{ 2 }, ConsistencyLevel.ALL);

        assertThat(new TreeDigestProbe(pair, 1, READ_TIMEOUT_MS).equal()).isTrue();
    }
}
