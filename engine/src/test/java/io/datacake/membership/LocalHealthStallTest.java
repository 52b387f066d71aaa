package io.datacake.membership;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A stall of the node thread raises local health by the tick intervals it spans, bounded, and answers bring it back.
 */
final class LocalHealthStallTest
{
    @Test
    void aStallRaisesTheScoreByTheIntervalsItSpansUpToTheBound()
    {
        final LocalHealth health = new LocalHealth(8, 500, 10);
        health.onStall(1_600);
        assertThat(health.score()).isEqualTo(3);
        assertThat(health.stallCount()).isEqualTo(1);
        health.onStall(60_000);
        assertThat(health.score()).isEqualTo(8);
        assertThat(health.scaledThreshold(8.0)).isEqualTo(72.0);
    }

    @Test
    void aShortStallStillCountsOnceAndAnswersBringTheScoreBack()
    {
        final LocalHealth health = new LocalHealth(8, 500, 10);
        health.onStall(1);
        assertThat(health.score()).isEqualTo(1);
        health.onProbeAnswered();
        assertThat(health.score()).isZero();
    }

    @Test
    void disabledHealthIgnoresStallsAndBadInputIsRejected()
    {
        final LocalHealth disabled = new LocalHealth(0, 500, 10);
        disabled.onStall(60_000);
        assertThat(disabled.multiplier()).isEqualTo(1);
        assertThatThrownBy(() -> disabled.onStall(0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("stall must be > 0 ms");
    }
}
