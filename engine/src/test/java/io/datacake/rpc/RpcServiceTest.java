package io.datacake.rpc;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.transport.InProcessNetwork;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class RpcServiceTest
{
    @Test
    void serviceIdIsTheStableFnv1aHashOfTheName()
    {
        // FNV-1a 32-bit reference values: "" is not allowed, "a" = 0xe40c292c, "foobar" = 0xbf9cf968.
        assertThat(RpcService.idOf("a")).isEqualTo(0xe40c292c);
        assertThat(RpcService.idOf("foobar")).isEqualTo(0xbf9cf968);
        assertThat(new RpcService("foobar").id()).isEqualTo(0xbf9cf968);
        assertThatThrownBy(() -> RpcService.idOf("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMessageTypeHasOneHandler()
    {
        final RpcService service = new RpcService("s").handler(1, (req, reply) -> reply.sendEmpty());
        assertThat(service.handler(1)).isNotNull();
        assertThat(service.handler(2)).isNull();
        assertThatThrownBy(() -> service.handler(1, (req, reply) -> reply.sendEmpty()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("message type 1");
    }

    @Test
    void registeringTheSameServiceIdTwiceIsRejectedWithAnActionableMessage()
    {
        try (Node node = Node.launch(new NodeContext().nodeId(1).transport(new InProcessNetwork().newTransport())
            .useAgentInvoker(true).addService(new RpcService("one", 5))))
        {
            final CompletableFuture<Void> added = node.addService(new RpcService("two", 5));
            node.invoker().invoke();
            assertThatThrownBy(added::join).hasCauseInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("explicit id").hasMessageContaining("'one'");
            final CompletableFuture<Boolean> removed = node.execute((s) -> s.rpc().removeService("one"));
            node.invoker().invoke();
            assertThat(removed.join()).isTrue();
        }
    }

    @Test
    void headersValidateTheirInput()
    {
        final RpcHeaders headers = new RpcHeaders().add("a", "1").add("b", "");
        assertThat(headers.count()).isEqualTo(2);
        assertThat(headers.name(1)).isEqualTo("b");
        assertThat(headers.value(0)).isEqualTo("1");
        assertThat(headers.toString()).isEqualTo("RpcHeaders{a=1, b=}");
        assertThatThrownBy(() -> headers.add("", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> headers.add("k", "caf\u00e9")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("ASCII");
        assertThatThrownBy(() -> headers.name(2)).isInstanceOf(IndexOutOfBoundsException.class);
        final RpcHeaders many = new RpcHeaders();
        for (int i = 0; i < RpcHeaders.MAX_HEADERS; i++)
        {
            many.add("h" + i, "v");
        }
        assertThatThrownBy(() -> many.add("one-too-many", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new RpcHeaders().copyFrom(headers).toString()).isEqualTo(headers.toString());
        assertThat(headers.clear().count()).isZero();
    }
}
