package io.datacake.membership;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The member table behind {@link MembershipComponent}'s view: which changes move the version, ascending visiting
 * order, and the snapshot published only on {@link MemberTable#publish()}.
 */
final class MemberTableTest
{
    @Test
    void joinDeathRevivalDepartureAndEndpointChangeMoveTheVersionButADataCentreChangeDoesNot()
    {
        final MemberTable table = new MemberTable(1);
        table.upsert(1, 10, "dc-a", "e1");
        long version = table.version();

        table.upsert(7, 70, "dc-b", "e7");
        assertThat(table.version()).as("join").isGreaterThan(version);
        version = table.version();

        table.live(7, false);
        assertThat(table.version()).as("dead").isGreaterThan(version);
        assertThat(table.liveCount()).isEqualTo(1);
        version = table.version();

        table.live(7, false);
        assertThat(table.version()).as("no change").isEqualTo(version);

        table.live(7, true);
        assertThat(table.version()).as("revived").isGreaterThan(version);
        version = table.version();

        assertThat(table.endpoint(7, "e7b")).isTrue();
        assertThat(table.version()).as("endpoint change").isGreaterThan(version);
        version = table.version();

        table.dataCentre(7, "dc-c");
        assertThat(table.version()).as("data centre change").isEqualTo(version);

        table.remove(7);
        assertThat(table.version()).as("left").isGreaterThan(version);
        assertThat(table.memberCount()).isEqualTo(1);
        assertThat(table.liveCount()).isEqualTo(1);
    }

    @Test
    void thisNodeStaysLive()
    {
        final MemberTable table = new MemberTable(1);
        table.upsert(1, 10, "dc-a", "e1");
        table.live(1, false);
        assertThat(table.liveCount()).isEqualTo(1);
    }

    @Test
    void membersAreVisitedInAscendingIdOrderAndTheSnapshotMovesOnlyOnPublish()
    {
        final MemberTable table = new MemberTable(5);
        table.upsert(5, 1, "dc", "e5");
        table.upsert(900, 2, "dc", "e900");
        table.upsert(3, 3, "dc", "e3");
        final List<Integer> ids = new ArrayList<>();
        table.forEach((nodeId, dataCentre, endpoint, generation, live) -> ids.add(nodeId));
        assertThat(ids).containsExactly(3, 5, 900);

        assertThat(table.snapshot()).isEmpty();
        table.publish();
        final List<ClusterMember> published = table.snapshot();
        assertThat(published).containsExactly(
            new ClusterMember(3, "dc", "e3", 3, true),
            new ClusterMember(5, "dc", "e5", 1, true),
            new ClusterMember(900, "dc", "e900", 2, true));

        table.live(900, false);
        assertThat(table.snapshot()).isSameAs(published);
        table.publish();
        assertThat(table.snapshot()).extracting(ClusterMember::live).containsExactly(true, true, false);
        assertThat(published).extracting(ClusterMember::live).as("old snapshots never change")
            .containsExactly(true, true, true);
    }
}
