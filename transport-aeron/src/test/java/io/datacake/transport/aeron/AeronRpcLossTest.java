package io.datacake.transport.aeron;

import io.datacake.node.Node;
import io.datacake.rpc.RpcError;
import io.datacake.rpc.RpcResponse;
import io.datacake.testing.SeededTrials;
import io.datacake.transport.Transport;
import io.datacake.transport.aeron.AeronTransportFactory.Media;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.datacake.transport.aeron.AeronRpcTest.ECHO;
import static io.datacake.transport.aeron.AeronRpcTest.ECHO_MESSAGE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * RPC over real Aeron UDP with frames dropped by Aeron's loss generators (debug channel endpoints, receive side,
 * on every node's driver): calls complete under moderate loss (Aeron repairs it) and time out cleanly when the link
 * is cut, then complete again once it heals. The seed is printed; {@code -Ddatacake.seed=N} replays.
 */
class AeronRpcLossTest
{
    private static final long SEED = SeededTrials.seed("AeronRpcLossTest loss generators");

    private final List<SwitchableLossGenerator> generators = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private AeronTransportFactory factory;

    @AfterEach
    void tearDown()
    {
        nodes.forEach(Node::close);
        factory.close();
    }

    private static byte[] randomBody(final SplittableRandom random, final int maxLength)
    {
        final byte[] body = new byte[1 + random.nextInt(maxLength)];
        random.nextBytes(body);
        return body;
    }

    @Test
    void callsCompleteUnderLossAndTimeOutCleanlyWhenTheLinkIsCut() throws Exception
    {
        factory = new AeronTransportFactory(Media.UDP, (settings) ->
        {
            final SwitchableLossGenerator receiveLoss = new SwitchableLossGenerator(SEED + generators.size());
            generators.add(receiveLoss);
            settings.receiveLoss(receiveLoss, null);
        });
        final Transport[] transports = factory.create(2);
        final AeronRpcTest helper = new AeronRpcTest();
        final Node a = helper.start(1, transports[0]);
        final Node b = helper.start(2, transports[1]);
        nodes.add(a);
        nodes.add(b);
        final SplittableRandom random = new SplittableRandom(SEED);
        final String seed = "seed " + SEED;

        // 20% of data frames dropped at both receivers. One call at a time: every call completes with the right
        // body (Aeron repairs the loss; streamed bodies included).
        generators.forEach((generator) -> generator.dropRate(0.2));
        final int maxBody = 3 * transports[0].maxMessageLength();
        for (int i = 0; i < 40; i++)
        {
            final byte[] body = randomBody(random, maxBody);
            assertThat(a.call(b.endpoint(), ECHO, ECHO_MESSAGE, body, null, 10_000).get(30, TimeUnit.SECONDS).body())
                .as("call %d, %s", i, seed).isEqualTo(body);
        }
        assertThat(generators.get(1).droppedFrames()).as("loss was injected, %s", seed).isPositive();

        // A burst of concurrent calls under the same loss fills the sender's window: each call either completes with
        // the right body or fails cleanly (back-pressured, or timed out: under loss a reply, queued while the
        // server's publication was back-pressured, may still be on its way when the 3 s timeout fires).
        final List<CompletableFuture<RpcResponse>> calls = new ArrayList<>();
        final List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            final byte[] body = randomBody(random, maxBody);
            bodies.add(body);
            calls.add(a.call(b.endpoint(), ECHO, ECHO_MESSAGE, body, null, 3_000));
        }
        int completed = 0;
        for (int i = 0; i < calls.size(); i++)
        {
            final CompletableFuture<RpcResponse> call = calls.get(i);
            try
            {
                call.get(30, TimeUnit.SECONDS);
            }
            catch (final java.util.concurrent.ExecutionException ignore)
            {
                // inspected below
            }
            if (call.isCompletedExceptionally())
            {
                assertThat(AeronRpcTest.errorOf(call)).as("call %d, %s", i, seed)
                    .isIn(RpcError.BACK_PRESSURED, RpcError.TIMEOUT);
            }
            else
            {
                assertThat(call.get().body()).as("call %d, %s", i, seed).isEqualTo(bodies.get(i));
                completed++;
            }
        }
        assertThat(completed).as(seed).isPositive();

        // Cut: everything B receives is dropped. Calls fail cleanly, as a timeout (or unreachable once the
        // publication notices), and A keeps running.
        generators.get(1).dropRate(1.0);
        for (int i = 0; i < 5; i++)
        {
            assertThat(AeronRpcTest.errorOf(a.call(b.endpoint(), ECHO, ECHO_MESSAGE, new byte[]{ 1 }, null, 300)))
                .as(seed).isIn(RpcError.TIMEOUT, RpcError.PEER_UNREACHABLE);
        }

        // Healed: calls complete again.
        generators.get(1).dropRate(0.0);
        assertThat(AeronRpcTest.callUntilReached(a, b, new byte[]{ 9 }).body()).as(seed).containsExactly(9);
        assertThat(a.isClosed()).isFalse();
    }

    @Test
    @Tag("soak")
    void soakThousandsOfCallsUnderLossAllComplete() throws Exception
    {
        factory = new AeronTransportFactory(Media.UDP, (settings) ->
        {
            final SwitchableLossGenerator receiveLoss = new SwitchableLossGenerator(SEED + generators.size());
            receiveLoss.dropRate(0.2);
            generators.add(receiveLoss);
            settings.receiveLoss(receiveLoss, null);
        });
        final Transport[] transports = factory.create(3);
        final AeronRpcTest helper = new AeronRpcTest();
        for (int i = 0; i < transports.length; i++)
        {
            nodes.add(helper.start(i + 1, transports[i]));
        }
        final SplittableRandom random = new SplittableRandom(SEED);
        final int maxBody = 3 * transports[0].maxMessageLength();

        // Every node calls every other node, one call at a time, under 20% loss at every receiver.
        for (int i = 0; i < 3_000; i++)
        {
            final Node from = nodes.get(i % 3);
            final Node to = nodes.get((i + 1 + random.nextInt(2)) % 3);
            final byte[] body = randomBody(random, maxBody);
            assertThat(from.call(to.endpoint(), ECHO, ECHO_MESSAGE, body, null, 10_000).get(30, TimeUnit.SECONDS).body())
                .as("call %d, seed %d", i, SEED).isEqualTo(body);
        }
        for (final SwitchableLossGenerator generator : generators)
        {
            assertThat(generator.droppedFrames()).as("seed %d", SEED).isPositive();
        }
    }
}

