package io.datacake.node;

import io.datacake.transport.InProcessNetwork;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class NodeIdleStrategyTest
{
    private final List<String> calls = new ArrayList<>();
    private boolean awaiting;
    private final NodeIdleStrategy strategy =
        new NodeIdleStrategy(new Recording("idle"), new Recording("awaiting"), () -> awaiting);

    @Test
    void waitsWithTheAwaitingStrategyOnlyWhileCallsAreInFlight()
    {
        strategy.idle(0);
        awaiting = true;
        strategy.idle(0);
        strategy.idle();
        awaiting = false;
        strategy.idle();

        assertThat(calls).containsExactly("idle.idle", "awaiting.idle", "awaiting.idle", "idle.idle");
    }

    @Test
    void workResetsBothSoEachBacksOffAfreshAfterTheNextBusyCycle()
    {
        awaiting = true;
        strategy.idle(3);
        strategy.reset();

        assertThat(calls).containsExactly("idle.reset", "awaiting.reset", "idle.reset", "awaiting.reset");
    }

    @Test
    void theAwaitingStrategyDefaultsToItsOwnYieldingBackOffAndMayNotBeTheIdleStrategyItself()
    {
        final InProcessNetwork network = new InProcessNetwork();
        final NodeContext defaults = new NodeContext().nodeId(1).transport(network.newTransport()).conclude();
        assertThat(defaults.awaitingIdleStrategy()).isInstanceOf(BackoffIdleStrategy.class)
            .isNotSameAs(defaults.idleStrategy());
        assertThat(defaults.awaitingIdleStrategy().toString())
            .contains("maxYields=" + NodeContext.DEFAULT_AWAITING_MAX_YIELDS)
            .contains("maxParkPeriodNs=" + NodeContext.DEFAULT_AWAITING_MAX_PARK_NS);

        final IdleStrategy own = new BackoffIdleStrategy();
        assertThat(new NodeContext().nodeId(1).transport(network.newTransport()).awaitingIdleStrategy(own)
            .conclude().awaitingIdleStrategy()).isSameAs(own);

        final IdleStrategy shared = new BackoffIdleStrategy();
        assertThatThrownBy(() -> new NodeContext().nodeId(1).transport(network.newTransport())
            .idleStrategy(shared).awaitingIdleStrategy(shared).conclude())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("same instance");
    }

    private final class Recording implements IdleStrategy
    {
        private final String name;

        Recording(final String name)
        {
            this.name = name;
        }

        public void idle(final int workCount)
        {
            calls.add(name + ".idle(" + workCount + ")");
        }

        public void idle()
        {
            calls.add(name + ".idle");
        }

        public void reset()
        {
            calls.add(name + ".reset");
        }
    }
}
