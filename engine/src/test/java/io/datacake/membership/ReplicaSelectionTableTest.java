package io.datacake.membership;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every consistency level against clusters of 1 to 7 nodes over 1 to 3 data centres, checked against written-out
 * tables of acknowledgement counts. Node {@code i} lives in data centre {@code "dc" + (i - 1) % D}; the local node
 * is node 1 (so in dc0). Counts are acknowledgements besides the local node's, as {@link ReplicaSelector} documents:
 * ONE, TWO, THREE that many other members; QUORUM a majority of all N members with the local node one of them
 * (N / 2 others); LOCAL_QUORUM a majority of the local data centre, the local node one of them; EACH_QUORUM a
 * majority of every data centre, the local node counting in its own; ALL every other member. A cell
 * {@code !needed/alive@dcX} is a {@link ConsistencyException} with those numbers (and data centre, for the per data
 * centre levels).
 */
final class ReplicaSelectionTableTest
{
    private static final ConsistencyLevel[] COLUMNS = {
        ConsistencyLevel.NONE, ConsistencyLevel.ONE, ConsistencyLevel.TWO, ConsistencyLevel.THREE,
        ConsistencyLevel.QUORUM, ConsistencyLevel.LOCAL_QUORUM, ConsistencyLevel.EACH_QUORUM, ConsistencyLevel.ALL};

    /** N D | NONE ONE TWO THREE QUORUM LOCAL_QUORUM EACH_QUORUM ALL; every node live. */
    private static final String[] ALL_LIVE = {
        "1 1 | 0 !1/0 !2/0 !3/0 0 0        0        0",
        "2 1 | 0 1    !2/1 !3/1 1 1        1        1",
        "2 2 | 0 1    !2/1 !3/1 1 0        1        1",
        "3 1 | 0 1    2    !3/2 1 1        1        2",
        "3 2 | 0 1    2    !3/2 1 1        2        2",
        "3 3 | 0 1    2    !3/2 1 0        2        2",
        "4 1 | 0 1    2    3    2 2        2        3",
        "4 2 | 0 1    2    3    2 1        3        3",
        "4 3 | 0 1    2    3    2 1        3        3",
        "5 1 | 0 1    2    3    2 2        2        4",
        "5 2 | 0 1    2    3    2 1        3        4",
        "5 3 | 0 1    2    3    2 1        4        4",
        "6 1 | 0 1    2    3    3 3        3        5",
        "6 2 | 0 1    2    3    3 1        3        5",
        "6 3 | 0 1    2    3    3 1        5        5",
        "7 1 | 0 1    2    3    3 3        3        6",
        "7 2 | 0 1    2    3    3 2        4        6",
        "7 3 | 0 1    2    3    3 1        5        6",
    };

    /** The same with node N dead. */
    private static final String[] LAST_DEAD = {
        "2 1 | 0 !1/0 !2/0 !3/0 !1/0 !1/0@dc0 !1/0@dc0 !1/0",
        "2 2 | 0 !1/0 !2/0 !3/0 !1/0 0        !1/0@dc1 !1/0",
        "3 1 | 0 1    !2/1 !3/1 1    1        1        !2/1",
        "3 2 | 0 1    !2/1 !3/1 1    !1/0@dc0 !1/0@dc0 !2/1",
        "3 3 | 0 1    !2/1 !3/1 1    0        !1/0@dc2 !2/1",
        "4 1 | 0 1    2    !3/2 2    2        2        !3/2",
        "4 2 | 0 1    2    !3/2 2    1        !2/1@dc1 !3/2",
        "4 3 | 0 1    2    !3/2 2    !1/0@dc0 !1/0@dc0 !3/2",
        "5 1 | 0 1    2    3    2    2        2        !4/3",
        "5 2 | 0 1    2    3    2    1        3        !4/3",
        "5 3 | 0 1    2    3    2    1        !2/1@dc1 !4/3",
        "6 1 | 0 1    2    3    3    3        3        !5/4",
        "6 2 | 0 1    2    3    3    1        3        !5/4",
        "6 3 | 0 1    2    3    3    1        !2/1@dc2 !5/4",
        "7 1 | 0 1    2    3    3    3        3        !6/5",
        "7 2 | 0 1    2    3    3    2        4        !6/5",
        "7 3 | 0 1    2    3    3    1        5        !6/5",
    };

    @Test
    void everyLevelWithEveryNodeLiveMatchesTheTable()
    {
        assertThat(COLUMNS).as("every level has a column").containsExactlyInAnyOrder(ConsistencyLevel.values());
        assertThat(checkTable(ALL_LIVE, false)).as("cells checked").isEqualTo(18 * COLUMNS.length);
    }

    @Test
    void everyLevelWithTheLastNodeDeadMatchesTheTableIncludingTheTooFewErrors()
    {
        assertThat(checkTable(LAST_DEAD, true)).as("cells checked").isEqualTo(17 * COLUMNS.length);
    }

    private static int checkTable(final String[] table, final boolean lastDead)
    {
        int cells = 0;
        for (final String row : table)
        {
            final String[] halves = row.split("\\|");
            final String[] shape = halves[0].trim().split("\\s+");
            final String[] expected = halves[1].trim().split("\\s+");
            final int nodes = Integer.parseInt(shape[0]);
            final int dataCentres = Integer.parseInt(shape[1]);
            assertThat(expected).as(row).hasSize(COLUMNS.length);
            for (int c = 0; c < COLUMNS.length; c++)
            {
                checkCell(nodes, dataCentres, lastDead, COLUMNS[c], expected[c]);
                cells++;
            }
        }
        return cells;
    }

    private static void checkCell(
        final int nodes, final int dataCentres, final boolean lastDead, final ConsistencyLevel level,
        final String expected)
    {
        final String where = "N=" + nodes + " D=" + dataCentres + (lastDead ? " last dead" : "") + " " + level;
        final ReplicaSelector selector = new ReplicaSelector(1, dataCentre(1, dataCentres));
        for (int nodeId = 2; nodeId <= nodes; nodeId++)
        {
            selector.addMember(nodeId, dataCentre(nodeId, dataCentres), !(lastDead && nodeId == nodes));
        }
        final int[] targets = new int[8];
        if (expected.startsWith("!"))
        {
            final String[] parts = expected.substring(1).split("[/@]");
            assertThatThrownBy(() -> selector.select(level, targets)).as(where)
                .isInstanceOfSatisfying(ConsistencyException.class, (ex) ->
                {
                    assertThat(ex.level()).as(where).isEqualTo(level);
                    assertThat(ex.required()).as(where + " needed").isEqualTo(Integer.parseInt(parts[0]));
                    assertThat(ex.alive()).as(where + " alive").isEqualTo(Integer.parseInt(parts[1]));
                    assertThat(ex.dataCentre()).as(where + " data centre")
                        .isEqualTo(parts.length > 2 ? parts[2] : null);
                });
            return;
        }
        final int count = selector.select(level, targets);
        assertThat(count).as(where + " acknowledgements").isEqualTo(Integer.parseInt(expected));
        final Set<Integer> chosen = new HashSet<>();
        final int[] perDataCentre = new int[dataCentres];
        for (int i = 0; i < count; i++)
        {
            final int nodeId = targets[i];
            assertThat(nodeId).as(where + " a member other than the local node").isBetween(2, nodes);
            assertThat(lastDead && nodeId == nodes).as(where + " a dead member chosen").isFalse();
            assertThat(chosen.add(nodeId)).as(where + " chosen twice: " + nodeId).isTrue();
            perDataCentre[(nodeId - 1) % dataCentres]++;
        }
        if (ConsistencyLevel.LOCAL_QUORUM == level)
        {
            assertThat(perDataCentre[0]).as(where + " all from the local data centre").isEqualTo(count);
        }
        if (ConsistencyLevel.EACH_QUORUM == level)
        {
            for (int dc = 0; dc < dataCentres; dc++)
            {
                final int members = membersIn(dc, nodes, dataCentres);
                final int majority = members / 2 + 1 - (0 == dc ? 1 : 0);
                assertThat(perDataCentre[dc]).as(where + " from dc" + dc).isEqualTo(majority);
            }
        }
    }

    private static int membersIn(final int dc, final int nodes, final int dataCentres)
    {
        int count = 0;
        for (int nodeId = 1; nodeId <= nodes; nodeId++)
        {
            count += (nodeId - 1) % dataCentres == dc ? 1 : 0;
        }
        return count;
    }

    private static String dataCentre(final int nodeId, final int dataCentres)
    {
        return "dc" + (nodeId - 1) % dataCentres;
    }

    /** A custom selection: every write must reach exactly the pinned nodes, whatever the level (NONE aside). */
    @Test
    void aCustomSelectionFromItsFactoryPinsTheReplicas()
    {
        final ReplicaSelectorFactory factory = (localNodeId, localDataCentre) -> new PinnedSelection(new int[]{3, 5});
        final ReplicaSelection selection = factory.newSelection(1, "dc0");
        for (int nodeId = 2; nodeId <= 5; nodeId++)
        {
            selection.addMember(nodeId, "dc0", true);
        }
        final int[] targets = new int[8];
        assertThat(selection.select(ConsistencyLevel.ONE, targets)).isEqualTo(2);
        assertThat(targets).startsWith(3, 5);
        assertThat(selection.select(ConsistencyLevel.NONE, targets)).isZero();

        selection.clearMembers();
        selection.addMember(3, "dc0", true);
        selection.addMember(5, "dc0", false);
        assertThatThrownBy(() -> selection.select(ConsistencyLevel.ALL, targets))
            .isInstanceOfSatisfying(ConsistencyException.class, (ex) ->
            {
                assertThat(ex.required()).isEqualTo(2);
                assertThat(ex.alive()).isEqualTo(1);
            });
    }

    @Test
    void theDefaultFactoryMakesTheDataCentreAwareSelector()
    {
        assertThat(ReplicaSelectorFactory.DEFAULT.newSelection(1, "dc0")).isInstanceOf(ReplicaSelector.class);
        assertThatThrownBy(() -> ReplicaSelectorFactory.DEFAULT.newSelection(1, ""))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("data centre");
    }

    /** Always the same nodes, each of which must be live. */
    static final class PinnedSelection implements ReplicaSelection
    {
        private final int[] pinned;
        private final List<Integer> live = new ArrayList<>();

        PinnedSelection(final int[] pinned)
        {
            this.pinned = pinned.clone();
        }

        public void clearMembers()
        {
            live.clear();
        }

        public void addMember(final int nodeId, final String dataCentre, final boolean isLive)
        {
            if (isLive)
            {
                live.add(nodeId);
            }
        }

        public int select(final ConsistencyLevel level, final int[] targets)
        {
            if (ConsistencyLevel.NONE == level)
            {
                return 0;
            }
            int alive = 0;
            for (final int nodeId : pinned)
            {
                alive += live.contains(nodeId) ? 1 : 0;
            }
            if (alive < pinned.length)
            {
                throw new ConsistencyException(level, pinned.length, alive, null, "the pinned nodes");
            }
            System.arraycopy(pinned, 0, targets, 0, pinned.length);
            return pinned.length;
        }
    }
}
