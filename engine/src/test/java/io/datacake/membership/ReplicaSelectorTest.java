package io.datacake.membership;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicaSelectorTest
{
    private final int[] targets = new int[64];

    /** Local node 0 in "a"; members 1, 2 in "a"; 10, 11, 12 in "b"; 20 in "c"; all live unless listed dead. */
    private static ReplicaSelector threeDataCentres(final int... dead)
    {
        final ReplicaSelector selector = new ReplicaSelector(0, "a");
        for (final int id : new int[]{ 1, 2, 10, 11, 12, 20 })
        {
            final String dc = id < 10 ? "a" : id < 20 ? "b" : "c";
            selector.addMember(id, dc, Arrays.stream(dead).noneMatch(d -> d == id));
        }
        return selector;
    }

    private int[] select(final ReplicaSelector selector, final ConsistencyLevel level)
    {
        final int count = selector.select(level, targets);
        return Arrays.copyOf(targets, count);
    }

    private static String dcOf(final int id)
    {
        return id < 10 ? "a" : id < 20 ? "b" : "c";
    }

    @Test
    void noneNeedsNobody()
    {
        assertThat(select(new ReplicaSelector(0, "a"), ConsistencyLevel.NONE)).isEmpty();
        assertThat(select(threeDataCentres(1, 2, 10, 11, 12, 20), ConsistencyLevel.NONE)).isEmpty();
    }

    @Test
    void fixedCountsSpreadOverDataCentresLocalFirst()
    {
        final ReplicaSelector selector = threeDataCentres();
        assertThat(Arrays.stream(select(selector, ConsistencyLevel.ONE)).mapToObj(ReplicaSelectorTest::dcOf))
            .containsExactly("a");
        assertThat(Arrays.stream(select(selector, ConsistencyLevel.TWO)).mapToObj(ReplicaSelectorTest::dcOf))
            .containsExactly("a", "b");
        assertThat(Arrays.stream(select(selector, ConsistencyLevel.THREE)).mapToObj(ReplicaSelectorTest::dcOf))
            .containsExactly("a", "b", "c");
    }

    @Test
    void fixedCountsSkipDeadMembersAndDataCentresWithNobodyLive()
    {
        final ReplicaSelector selector = threeDataCentres(1, 2, 20);
        final int[] three = select(selector, ConsistencyLevel.THREE);
        assertThat(three).containsExactlyInAnyOrder(10, 11, 12);
        assertThatThrownBy(() -> threeDataCentres(1, 2, 10, 11, 20).select(ConsistencyLevel.TWO, targets))
            .isInstanceOf(ConsistencyException.class)
            .hasMessage("TWO needs 2 other live members (fixed count), 1 is alive")
            .satisfies(ex ->
            {
                final ConsistencyException e = (ConsistencyException)ex;
                assertThat(e.level()).isEqualTo(ConsistencyLevel.TWO);
                assertThat(e.required()).isEqualTo(2);
                assertThat(e.alive()).isEqualTo(1);
                assertThat(e.dataCentre()).isNull();
            });
        assertThatThrownBy(() -> new ReplicaSelector(0, "a").select(ConsistencyLevel.ONE, targets))
            .isInstanceOf(ConsistencyException.class).hasMessageContaining("0 are alive");
    }

    @Test
    void selectionsRotateSoLoadSpreads()
    {
        final ReplicaSelector selector = new ReplicaSelector(0, "a");
        for (int id = 1; id <= 3; id++)
        {
            selector.addMember(id, "a", true);
        }
        final Map<Integer, Integer> hits = new HashMap<>();
        for (int i = 0; i < 300; i++)
        {
            hits.merge(select(selector, ConsistencyLevel.ONE)[0], 1, Integer::sum);
        }
        assertThat(hits).containsOnly(Map.entry(1, 100), Map.entry(2, 100), Map.entry(3, 100));
    }

    @Test
    void quorumIsAMajorityOfAllMembersCountingDeadOnes()
    {
        // 7 members counting this node: a majority is 4, so 3 others.
        final int[] quorum = select(threeDataCentres(1, 11), ConsistencyLevel.QUORUM);
        assertThat(quorum).hasSize(3).doesNotContain(1, 11);
        assertThat(Arrays.stream(quorum).mapToObj(ReplicaSelectorTest::dcOf)).containsExactly("a", "b", "c");

        assertThatThrownBy(() -> threeDataCentres(1, 2, 10, 11).select(ConsistencyLevel.QUORUM, targets))
            .isInstanceOf(ConsistencyException.class)
            .hasMessage("QUORUM needs 3 other live members (a majority of 7 members counting this node), 2 are alive");

        final ReplicaSelector pair = new ReplicaSelector(0, "a");
        pair.addMember(1, "a", true);
        assertThat(select(pair, ConsistencyLevel.QUORUM)).containsExactly(1);
        assertThat(select(new ReplicaSelector(0, "a"), ConsistencyLevel.QUORUM)).as("a single node is its own quorum")
            .isEmpty();
    }

    @Test
    void localQuorumCountsOnlyTheLocalDataCentre()
    {
        // "a" has 3 members counting this node: one other is needed, from "a" only.
        final int[] local = select(threeDataCentres(10, 11, 12, 20), ConsistencyLevel.LOCAL_QUORUM);
        assertThat(local).hasSize(1);
        assertThat(dcOf(local[0])).isEqualTo("a");

        assertThatThrownBy(() -> threeDataCentres(1, 2).select(ConsistencyLevel.LOCAL_QUORUM, targets))
            .isInstanceOf(ConsistencyException.class)
            .hasMessage("LOCAL_QUORUM needs 1 other live member in data centre 'a' (a majority of its 3 members " +
                "counting this node), 0 are alive")
            .satisfies(ex -> assertThat(((ConsistencyException)ex).dataCentre()).isEqualTo("a"));
    }

    @Test
    void eachQuorumNeedsAMajorityInEveryDataCentre()
    {
        final int[] each = select(threeDataCentres(2, 12), ConsistencyLevel.EACH_QUORUM);
        // "a": 3 counting this node -> 1 other; "b": 3 -> 2; "c": 1 -> 1.
        assertThat(Arrays.stream(each).mapToObj(ReplicaSelectorTest::dcOf)).containsExactly("a", "b", "b", "c");
        assertThat(each).contains(1, 10, 11, 20);

        assertThatThrownBy(() -> threeDataCentres(11, 12).select(ConsistencyLevel.EACH_QUORUM, targets))
            .isInstanceOf(ConsistencyException.class)
            .hasMessage("EACH_QUORUM needs 2 other live members in data centre 'b' (a majority of its 3 members), " +
                "1 is alive");
        assertThatThrownBy(() -> threeDataCentres(20).select(ConsistencyLevel.EACH_QUORUM, targets))
            .isInstanceOf(ConsistencyException.class).hasMessageContaining("'c'");
    }

    @Test
    void allNeedsEveryMemberLive()
    {
        assertThat(select(threeDataCentres(), ConsistencyLevel.ALL)).containsExactlyInAnyOrder(1, 2, 10, 11, 12, 20);
        assertThatThrownBy(() -> threeDataCentres(12).select(ConsistencyLevel.ALL, targets))
            .isInstanceOf(ConsistencyException.class)
            .hasMessage("ALL needs 6 other live members (every member), 5 are alive");
    }

    @Test
    void clearingStartsOverAndMembershipIsValidated()
    {
        final ReplicaSelector selector = threeDataCentres();
        selector.clearMembers();
        assertThat(selector.memberCount()).isZero();
        selector.addMember(1, "z", true);
        assertThat(select(selector, ConsistencyLevel.ALL)).containsExactly(1);
        assertThat(selector.liveCount()).isEqualTo(1);

        assertThatThrownBy(() -> selector.addMember(1, "z", true)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("already added");
        assertThatThrownBy(() -> selector.addMember(0, "a", true)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("local node");
        assertThatThrownBy(() -> selector.addMember(2, "", true)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("data centre");
        assertThatThrownBy(() -> selector.addMember(70_000, "a", true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> threeDataCentres().select(ConsistencyLevel.ALL, new int[5]))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds 5 ids, the selection has 6");

        final ReplicaSelector wide = new ReplicaSelector(0, "dc0");
        for (int dc = 1; dc < ReplicaSelector.MAX_DATA_CENTRES; dc++)
        {
            wide.addMember(dc, "dc" + dc, true);
        }
        assertThatThrownBy(() -> wide.addMember(999, "one-too-many", true))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256");
    }

    @Test
    void repeatedSelectionsAllocateNothing()
    {
        final ReplicaSelector selector = threeDataCentres(2);
        final ConsistencyLevel[] levels = { ConsistencyLevel.ONE, ConsistencyLevel.THREE, ConsistencyLevel.QUORUM,
            ConsistencyLevel.LOCAL_QUORUM, ConsistencyLevel.EACH_QUORUM };
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++)
        {
            selector.select(levels[i % levels.length], targets);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        int sum = 0;
        for (int i = 0; i < 100_000; i++)
        {
            sum += selector.select(levels[i % levels.length], targets);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(sum).isPositive();
        assertThat(allocated).as("bytes allocated by 100,000 selections").isLessThan(10_000);
    }
}
