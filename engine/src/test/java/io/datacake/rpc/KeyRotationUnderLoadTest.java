package io.datacake.rpc;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.security.FrameProtection;
import io.datacake.security.Keyring;
import io.datacake.testing.TestKeyrings;
import io.datacake.transport.InProcessNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keys rotate in three steps (install, promote, retire) on three nodes, each running on its own thread, while calls
 * flow around the ring of nodes without pause: no call fails and no frame is dropped by any node.
 */
final class KeyRotationUnderLoadTest
{
    /** Guard against hangs; never reached by a passing test. */
    private static final long DEADLINE_MS = 60_000;
    private static final int NODES = 3;
    private static final int CALL_CHAINS_PER_NODE = 8;
    private static final int CALLS_BETWEEN_UPDATES = 300;

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void noCallFailsWhileKeysRotate(final FrameProtection protection) throws Exception
    {
        final InProcessNetwork network = new InProcessNetwork();
        final List<Node> nodes = new ArrayList<>();
        final AtomicLong completed = new AtomicLong();
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong inFlight = new AtomicLong();
        try
        {
            for (int i = 1; i <= NODES; i++)
            {
                nodes.add(Node.launch(new NodeContext().nodeId(i).transport(network.newTransport("node-" + i))
                    .keyring(TestKeyrings.clusterKeyring()).frameProtection(protection)
                    .addService(RpcScenarios.echoService())));
            }
            for (int i = 0; i < NODES; i++)
            {
                for (int chain = 0; chain < CALL_CHAINS_PER_NODE; chain++)
                {
                    callAgain(nodes.get(i), nodes.get((i + 1) % NODES), running, inFlight, completed, failures);
                }
            }

            final Keyring installed = TestKeyrings.clusterKeyring().withKey(2, TestKeyrings.secret(2));
            final Keyring[] steps = {installed, installed.withPrimary(2), installed.withPrimary(2).withoutKey(1)};
            for (final Keyring step : steps)
            {
                for (final Node node : nodes)
                {
                    node.updateKeyring(step).get(DEADLINE_MS, TimeUnit.MILLISECONDS);
                    final long target = completed.get() + CALLS_BETWEEN_UPDATES;
                    awaitCondition(() -> completed.get() >= target || !failures.isEmpty(), "calls after an update");
                }
            }
            running.set(false);
            awaitCondition(() -> inFlight.get() == 0, "calls in flight to finish");

            assertThat(failures).isEmpty();
            assertThat(completed.get()).isGreaterThanOrEqualTo(CALLS_BETWEEN_UPDATES * NODES * steps.length);
            for (final Node node : nodes)
            {
                final RpcCounters counters = node.counters().rpc();
                assertThat(counters.unknownKeyFramesDropped.get() + counters.forgedFramesDropped.get() +
                    counters.replayedFramesDropped.get() + counters.staleFramesDropped.get() +
                    counters.unsecuredFramesDropped.get()).as("node %d drops", node.nodeId()).isZero();
            }
        }
        finally
        {
            running.set(false);
            nodes.forEach(Node::close);
        }
    }

    /** A closed loop: each completed call issues the next one from the same node to the same peer. */
    private static void callAgain(
        final Node from,
        final Node to,
        final AtomicBoolean running,
        final AtomicLong inFlight,
        final AtomicLong completed,
        final ConcurrentLinkedQueue<Throwable> failures)
    {
        if (!running.get())
        {
            return;
        }
        inFlight.incrementAndGet();
        from.call(to.endpoint(), RpcScenarios.ECHO, RpcScenarios.ECHO_BODY, new byte[64], null, DEADLINE_MS)
            .whenComplete((response, failure) ->
            {
                if (null != failure)
                {
                    failures.add(failure);
                }
                else
                {
                    completed.incrementAndGet();
                    callAgain(from, to, running, inFlight, completed, failures);
                }
                inFlight.decrementAndGet();
            });
    }

    private static void awaitCondition(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("no " + what + " within " + DEADLINE_MS + " ms");
            }
            Thread.sleep(1);
        }
    }
}
