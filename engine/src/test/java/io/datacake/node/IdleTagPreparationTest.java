package io.datacake.node;

import io.datacake.rpc.RpcService;
import io.datacake.security.FrameProtection;
import io.datacake.testing.TestKeyrings;
import io.datacake.transport.InProcessNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A secured node hashes the key blocks of its next tags in a duty cycle that found no work: after an exchange, once
 * both nodes are idle, the next seal and the next open of each are prepared.
 */
final class IdleTagPreparationTest
{
    private static final int ECHO = 1;
    private static final long TIMEOUT_MS = 60_000;
    /** Bound on duty cycles of both nodes: far beyond what one call and its reply need. */
    private static final int MAX_CYCLES = 1_000;

    private final InProcessNetwork network = new InProcessNetwork();

    @ParameterizedTest
    @EnumSource(FrameProtection.class)
    void anIdleDutyCyclePreparesTheNextTagsOfBothDirections(final FrameProtection protection) throws Exception
    {
        try (Node client = node(1, "client", protection); Node server = node(2, "server", protection))
        {
            final CompletableFuture<?> response = client.call(server.endpoint(), "echo", ECHO, new byte[64], null,
                TIMEOUT_MS);
            for (int cycle = 0; cycle < MAX_CYCLES && !response.isDone(); cycle++)
            {
                client.invoker().invoke();
                server.invoker().invoke();
            }
            assertThat(response).isCompleted();
            response.get();
            assertThat(client.rpcLayer().isNextTagPrepared()).as("client, still in the cycle that got the reply")
                .isFalse();

            int work = 1;
            for (int cycle = 0; cycle < MAX_CYCLES && work > 0; cycle++)
            {
                work = client.invoker().invoke() + server.invoker().invoke();
            }
            assertThat(work).as("both nodes went idle").isZero();
            assertThat(client.rpcLayer().isNextTagPrepared()).as("client").isTrue();
            assertThat(server.rpcLayer().isNextTagPrepared()).as("server").isTrue();
        }
    }

    private Node node(final int nodeId, final String name, final FrameProtection protection)
    {
        return Node.launch(new NodeContext()
            .nodeId(nodeId)
            .transport(network.newTransport(name))
            .ownsTransport(true)
            .keyring(TestKeyrings.clusterKeyring())
            .frameProtection(protection)
            .useAgentInvoker(true)
            .addService(new RpcService("echo").handler(ECHO, (request, reply) ->
                reply.send(request.body(), request.bodyOffset(), request.bodyLength()))));
    }
}
