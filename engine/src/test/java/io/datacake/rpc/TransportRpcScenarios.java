package io.datacake.rpc;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.transport.Transport;
import io.datacake.transport.TransportFactory;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The RPC scenarios over a real transport, each node on its own thread. A transport module reruns every scenario
 * by extending this class and returning its {@link TransportFactory} from {@link #transportFactory()}; a fresh
 * factory is asked for per test and closed after it.
 */
public abstract class TransportRpcScenarios extends RpcScenarios
{
    /** Guard against hangs when waiting for a future on real threads; never reached by a passing test. */
    static final long AWAIT_BOUND_SECONDS = 60;

    /**
     * A new factory for one test.
     *
     * @return the factory.
     */
    protected abstract TransportFactory transportFactory();

    /**
     * {@inheritDoc}
     */
    @Override
    protected RpcTestCluster createCluster(final int nodeCount, final Consumer<NodeContext> customizer)
    {
        final TransportFactory factory = transportFactory();
        final Transport[] transports = factory.create(nodeCount);
        final ArrayList<Node> nodes = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++)
        {
            final NodeContext ctx = new NodeContext().nodeId(i + 1).transport(transports[i]);
            customizer.accept(ctx);
            nodes.add(Node.launch(ctx));
        }
        return new RpcTestCluster()
        {
            public Node node(final int index)
            {
                return nodes.get(index);
            }

            public <T> CompletableFuture<T> await(final CompletableFuture<T> future)
            {
                try
                {
                    future.get(AWAIT_BOUND_SECONDS, TimeUnit.SECONDS);
                }
                catch (final TimeoutException ex)
                {
                    throw new AssertionError("future did not complete within " + AWAIT_BOUND_SECONDS + " s", ex);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(ex);
                }
                catch (final ExecutionException ex)
                {
                    // completed exceptionally: the caller inspects it
                }
                return future;
            }

            public String unreachableEndpoint()
            {
                return factory.unreachableEndpoint();
            }

            public void close()
            {
                nodes.forEach(Node::close);
                factory.close();
            }
        };
    }

    @Test
    void piggybackedHlcStampAdvancesTheReceiversClock()
    {
        final long aheadMs = 60_000;
        final EpochClock aheadClock = () -> SystemEpochClock.INSTANCE.time() + aheadMs;
        try (RpcTestCluster cluster = createCluster(2, (ctx) ->
        {
            if (ctx.nodeId() == 1)
            {
                ctx.epochClock(aheadClock);
            }
            ctx.addService(echoService());
        }))
        {
            final long before = System.currentTimeMillis();
            get(cluster, cluster.node(0).call(cluster.node(1).endpoint(), ECHO, ECHO_BODY, new byte[]{1}, null, 0));
            final long receiverStamp = get(cluster, cluster.node(1).execute((s) -> s.clock().lastStamp()));
            assertThat(io.datacake.clock.HlcTimestamp.millis(receiverStamp)).isGreaterThanOrEqualTo(before + aheadMs);
        }
    }
}
