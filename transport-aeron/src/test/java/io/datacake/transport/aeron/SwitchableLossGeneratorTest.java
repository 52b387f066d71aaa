package io.datacake.transport.aeron;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SwitchableLossGeneratorTest
{
    private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 9);
    private static final UnsafeBuffer FRAME = new UnsafeBuffer(new byte[64]);

    @Test
    void dropsNothingUntilRaisedThenEverythingAtOne()
    {
        final SwitchableLossGenerator generator = new SwitchableLossGenerator(42);
        assertThat(drops(generator, 1000)).isZero();

        generator.dropRate(1.0);
        assertThat(drops(generator, 1000)).isEqualTo(1000);
        assertThat(generator.droppedFrames()).isEqualTo(1000);

        generator.dropRate(0.0);
        assertThat(drops(generator, 1000)).isZero();
    }

    @Test
    void dropsAboutTheConfiguredShareAndReplaysBySeed()
    {
        final SwitchableLossGenerator first = new SwitchableLossGenerator(7);
        final SwitchableLossGenerator second = new SwitchableLossGenerator(7);
        first.dropRate(0.2);
        second.dropRate(0.2);

        final boolean[] firstDecisions = decisions(first, 10_000);
        final boolean[] secondDecisions = decisions(second, 10_000);

        assertThat(firstDecisions).isEqualTo(secondDecisions);
        assertThat(first.droppedFrames()).isBetween(1_700L, 2_300L);
    }

    @Test
    void rejectsRatesOutsideZeroToOne()
    {
        final SwitchableLossGenerator generator = new SwitchableLossGenerator(1);
        assertThatThrownBy(() -> generator.dropRate(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> generator.dropRate(-0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> generator.dropRate(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    private static int drops(final SwitchableLossGenerator generator, final int frames)
    {
        int drops = 0;
        for (int i = 0; i < frames; i++)
        {
            drops += generator.shouldDropFrame(ADDRESS, FRAME, FRAME.capacity()) ? 1 : 0;
        }
        return drops;
    }

    private static boolean[] decisions(final SwitchableLossGenerator generator, final int frames)
    {
        final boolean[] decisions = new boolean[frames];
        for (int i = 0; i < frames; i++)
        {
            decisions[i] = generator.shouldDropFrame(ADDRESS, FRAME, FRAME.capacity());
        }
        return decisions;
    }
}
