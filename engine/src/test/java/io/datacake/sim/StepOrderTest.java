package io.datacake.sim;

import io.datacake.node.Node;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order in which a step invokes the nodes is drawn from the seed: a fresh permutation every round.
 */
@ExtendWith(ReplayOnFailure.class)
final class StepOrderTest
{
    private static final int NODES = 8;
    private static final int ROUNDS = 6;

    @Test
    void theSameSeedStepsNodesInTheSameOrders(@ReplaySeed(11) final long seed)
    {
        assertThat(stepOrders(seed)).isEqualTo(stepOrders(seed));
    }

    @Test
    void anotherSeedStepsNodesInOtherOrders(@ReplaySeed(11) final long seed)
    {
        final List<List<Integer>> orders = stepOrders(seed);
        assertThat(stepOrders(seed + 1)).isNotEqualTo(orders);
        assertThat(orders.get(0)).as("a round is a permutation of the nodes")
            .containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(orders.stream().distinct().count()).as("the order changes from round to round").isGreaterThan(1);
        assertThat(orders).as("not the order the nodes were added in")
            .anySatisfy((order) -> assertThat(order).isNotEqualTo(List.of(1, 2, 3, 4, 5, 6, 7, 8)));
    }

    /**
     * The order in which each round ran one task on every node.
     */
    private static List<List<Integer>> stepOrders(final long seed)
    {
        try (Simulation simulation = new Simulation(seed))
        {
            for (int id = 1; id <= NODES; id++)
            {
                simulation.addNode(id);
            }
            final List<List<Integer>> orders = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++)
            {
                final List<Integer> order = new ArrayList<>();
                for (final Node node : simulation.nodes())
                {
                    node.submit((s) -> order.add(s.nodeId()));
                }
                simulation.step();
                assertThat(order).hasSize(NODES);
                orders.add(order);
            }
            return orders;
        }
    }
}
