package io.datacake.transport.aeron;

import io.datacake.testing.SeededTrials;
import io.datacake.transport.Transport;
import io.datacake.transport.aeron.AeronTransportFactory.Media;
import io.datacake.transport.aeron.TransportTestSupport.Frames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.datacake.transport.aeron.TransportTestSupport.pattern;
import static io.datacake.transport.aeron.TransportTestSupport.pollUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loss on real Aeron UDP, injected by Aeron's debug channel endpoints: Aeron repairs lost data frames by NAK and
 * retransmission, so frames still arrive whole, once and in order; a cut link back-pressures the sender; healing it
 * delivers what was accepted.
 */
class AeronLossTest
{
    private static final long SEED = SeededTrials.seed("AeronLossTest loss generators", 20261125L);

    @Test
    void framesSurviveTwentyPercentDataLossInBothDirections()
    {
        final List<SwitchableLossGenerator> generators = new ArrayList<>();
        try (AeronTransportFactory factory = new AeronTransportFactory(Media.UDP, (settings) ->
        {
            final SwitchableLossGenerator receiveLoss = new SwitchableLossGenerator(SEED + generators.size());
            generators.add(receiveLoss);
            settings.receiveLoss(receiveLoss, null);
        }))
        {
            final Transport[] nodes = factory.create(2);
            final int peer = nodes[0].resolvePeer(nodes[1].localEndpoint());
            generators.forEach((generator) -> generator.dropRate(0.2));

            final int frameCount = 300;
            final Frames received = new Frames();
            for (int i = 0; i < frameCount; i++)
            {
                final int length = 1 + (i * 97) % 4000; // single- and multi-fragment frames
                final UnsafeBuffer frame = pattern(length, i);
                // The receiver keeps polling while the sender waits for window: one thread drives both nodes.
                long result;
                int attempts = 0;
                while ((result = nodes[0].offer(peer, frame, 0, length)) <= 0)
                {
                    assertThat(result).isNotEqualTo(Transport.CLOSED);
                    assertThat(++attempts).as("attempts for frame %d", i).isLessThan(1_000_000);
                    if (nodes[1].poll(received, 16) == 0)
                    {
                        TransportTestSupport.sleepMs(1);
                    }
                }
                nodes[1].poll(received, 16);
            }
            pollUntil(nodes[1], received, () -> received.count() == frameCount);

            for (int i = 0; i < frameCount; i++)
            {
                final int length = 1 + (i * 97) % 4000;
                assertThat(received.get(i)).as("frame %d (seed %d)", i, SEED)
                    .isEqualTo(TransportTestSupport.bytes(pattern(length, i), length));
            }
            assertThat(generators.get(1).droppedFrames()).as("loss was injected").isPositive();
        }
    }

    @Test
    void aCutLinkBackPressuresAndHealingDeliversWhatWasAccepted()
    {
        final List<SwitchableLossGenerator> generators = new ArrayList<>();
        try (AeronTransportFactory factory = new AeronTransportFactory(Media.UDP, (settings) ->
        {
            final SwitchableLossGenerator receiveLoss = new SwitchableLossGenerator(SEED);
            generators.add(receiveLoss);
            settings.receiveLoss(receiveLoss, null);
        }))
        {
            final Transport[] nodes = factory.create(2);
            final int peer = nodes[0].resolvePeer(nodes[1].localEndpoint());
            final SwitchableLossGenerator atReceiver = generators.get(1);
            atReceiver.dropRate(1.0);

            // Every data frame is dropped at the receiver, so its window never advances: the sender is
            // back-pressured after at most one window of frames (bounded attempts, no timing).
            final UnsafeBuffer frame = pattern(512, 1);
            final Frames received = new Frames();
            long result = 1;
            int accepted = 0;
            for (int i = 0; i < 10_000 && result > 0; i++)
            {
                result = nodes[0].offer(peer, frame, 0, frame.capacity());
                accepted += result > 0 ? 1 : 0;
                nodes[1].poll(received, 16);
            }
            assertThat(result).isIn(Transport.BACK_PRESSURED, Transport.NOT_CONNECTED);
            assertThat(received.count()).isZero();

            atReceiver.dropRate(0.0);
            final int expected = accepted;
            pollUntil(nodes[1], received, () -> received.count() == expected);
            assertThat(received.count()).isEqualTo(accepted);
        }
    }
}
