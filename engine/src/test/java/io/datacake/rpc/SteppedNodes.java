package io.datacake.rpc;

import io.datacake.node.Node;
import io.datacake.transport.InProcessTransport;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Helpers for tests that step invoker-mode nodes themselves and inject captured frames.
 */
final class SteppedNodes
{
    /** Bound on duty-cycle rounds per pump: far beyond what any exchange in these tests needs. */
    static final int MAX_PUMP_ROUNDS = 200;

    private SteppedNodes()
    {
    }

    /**
     * Step the nodes in turn until none has work left.
     *
     * @param nodes invoker-mode nodes.
     */
    static void pump(final Node... nodes)
    {
        for (int round = 0; round < MAX_PUMP_ROUNDS; round++)
        {
            int work = 0;
            for (final Node node : nodes)
            {
                work += node.invoker().invoke();
            }
            if (work == 0)
            {
                return;
            }
        }
    }

    /**
     * The node's latest HLC stamp, read on its thread.
     *
     * @param node an invoker-mode node.
     * @return the stamp.
     */
    static long lastStamp(final Node node)
    {
        final CompletableFuture<Long> stamp = node.execute((s) -> s.clock().lastStamp());
        node.invoker().invoke();
        return stamp.join();
    }

    /**
     * Take the one frame a node sent to a capture transport.
     *
     * @param capture the transport the frame was sent to.
     * @return the frame's bytes.
     */
    static byte[] pollOneFrame(final InProcessTransport capture)
    {
        final byte[][] frame = new byte[1][];
        assertThat(capture.poll((buffer, offset, length) ->
        {
            frame[0] = new byte[length];
            buffer.getBytes(offset, frame[0]);
        }, 1)).isEqualTo(1);
        return frame[0];
    }
}
