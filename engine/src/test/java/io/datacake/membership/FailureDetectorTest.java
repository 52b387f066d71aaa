package io.datacake.membership;

import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FailureDetectorTest
{
    private static final double LN_10 = Math.log(10);

    private final List<String> events = new ArrayList<>();
    private final LivenessListener recorder = new LivenessListener()
    {
        public void onLive(final int nodeId, final long generation, final boolean revived)
        {
            events.add((revived ? "revived " : "live ") + nodeId + "/" + generation);
        }

        public void onDead(final int nodeId, final long generation)
        {
            events.add("dead " + nodeId + "/" + generation);
        }
    };

    @Test
    void phiIsSilenceOverTheSmoothedMeanInterval()
    {
        final PhiAccrualDetector detector = new PhiAccrualDetector(100, 10_000, 5_000);
        assertThat(detector.phi(1_000)).as("never heard").isZero();
        detector.heartbeat(0);
        assertThat(detector.meanIntervalMs()).isEqualTo(5_000.0);
        assertThat(detector.phi(0)).isZero();
        assertThat(detector.phi((long)(5_000 * LN_10))).isCloseTo(1.0, within(1e-3));

        for (int i = 1; i <= 95; i++)
        {
            detector.heartbeat(i * 1_000L);
        }
        // 95 samples of 1 s plus 5 pseudo-samples of 5 s.
        assertThat(detector.meanIntervalMs()).isEqualTo((95 * 1_000.0 + 5 * 5_000.0) / 100);
        assertThat(detector.phi(95_000 + 2_000)).isCloseTo(2_000 / (1_200 * LN_10), within(1e-9));
    }

    @Test
    void intervalsAboveTheMaximumAreNotSampled()
    {
        final PhiAccrualDetector detector = new PhiAccrualDetector(100, 10_000, 1_000);
        detector.heartbeat(0);
        detector.heartbeat(1_000);
        detector.heartbeat(31_000);
        assertThat(detector.sampleCount()).isEqualTo(1);
        assertThat(detector.meanIntervalMs()).isEqualTo(1_000.0);
        assertThat(detector.lastHeartbeatMs()).isEqualTo(31_000);
        detector.heartbeat(30_000);
        assertThat(detector.lastHeartbeatMs()).as("a late report does not move time back").isEqualTo(31_000);
    }

    @Test
    void theSamplingWindowIsBoundedAndForgetsTheOldest()
    {
        final PhiAccrualDetector detector = new PhiAccrualDetector(100, 10_000, 5_000);
        long now = 0;
        detector.heartbeat(now);
        for (int i = 0; i < 1_000; i++)
        {
            detector.heartbeat(now += 500);
        }
        for (int i = 0; i < 1_000; i++)
        {
            detector.heartbeat(now += 2_000);
        }
        assertThat(detector.sampleCount()).isEqualTo(100);
        assertThat(detector.meanIntervalMs()).isEqualTo((100 * 2_000.0 + 5 * 5_000.0) / 105);
        detector.reset();
        assertThat(detector.sampleCount()).isZero();
        assertThat(detector.hasHeartbeat()).isFalse();
    }

    @Test
    void settingsAreValidated()
    {
        assertThatThrownBy(() -> new PhiAccrualDetector(0, 1, 1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("sampling window");
        assertThatThrownBy(() -> new PhiAccrualDetector(1, 0, 1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("max interval");
        assertThatThrownBy(() -> new PhiAccrualDetector(1, 1, 0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("initial interval");
        assertThatThrownBy(() -> new FailureDetector(Double.NaN, 1, 1, 1, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("phi threshold");
        assertThatThrownBy(() -> new FailureDetector(8, 1, 1, 1, 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grace period");
        assertThatThrownBy(() -> FailureDetector.withDefaults().reportHeartbeat(70_000, 1, 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("node id");
    }

    @Test
    void regularHeartbeatsStayLive()
    {
        final FailureDetector detector = FailureDetector.withDefaults();
        for (long now = 0; now <= 600_000; now += 100)
        {
            if (now % 1_000 == 0)
            {
                detector.reportHeartbeat(7, 1, now);
            }
            detector.update(now, null, recorder);
        }
        assertThat(events).containsExactly("live 7/1");
        assertThat(detector.isLive(7)).isTrue();
        assertThat(detector.liveCount()).isEqualTo(1);
    }

    @Test
    void silenceBeyondTheThresholdIsDeadAtTheComputedMoment()
    {
        final FailureDetector detector = FailureDetector.withDefaults();
        final PhiAccrualDetector reference = new PhiAccrualDetector(1_000, 10_000, 5_000);
        long now = 0;
        for (int i = 0; i <= 1_000; i++, now += 1_000)
        {
            detector.reportHeartbeat(7, 1, now);
            reference.heartbeat(now);
        }
        final long last = now - 1_000;
        final long deadAfterMs =
            (long)Math.floor(PhiAccrualDetector.DEFAULT_PHI_THRESHOLD * LN_10 * reference.meanIntervalMs());

        detector.update(last + deadAfterMs, null, recorder);
        assertThat(detector.isLive(7)).isTrue();
        detector.update(last + deadAfterMs + 1, null, recorder);
        assertThat(detector.isDead(7)).isTrue();
        assertThat(detector.deadSinceMs(7)).isEqualTo(last + deadAfterMs + 1);
        assertThat(events).containsExactly("live 7/1", "dead 7/1");
    }

    @Test
    void jitteryHeartbeatsRaisePhiSmoothlyAndStayLive()
    {
        final long seed = SeededTrials.seed("jittery heartbeats");
        final SplittableRandom random = new SplittableRandom(seed);
        final PhiAccrualDetector jittery = new PhiAccrualDetector(1_000, 10_000, 1_000);
        final FailureDetector detector = FailureDetector.withDefaults();
        long now = 0;
        long nextBeat = 0;
        double previousPhi = 0;
        for (; now < 300_000; now += 10)
        {
            if (now >= nextBeat)
            {
                jittery.heartbeat(now);
                detector.reportHeartbeat(3, 1, now);
                nextBeat = now + 600 + random.nextInt(801);
                previousPhi = 0;
            }
            final double phi = jittery.phi(now);
            assertThat(phi).as("phi only grows between heartbeats, seed " + seed).isGreaterThanOrEqualTo(previousPhi);
            assertThat(phi - previousPhi).as("in small steps, seed " + seed).isLessThan(0.01);
            previousPhi = phi;
            detector.update(now, null, recorder);
        }
        assertThat(events).as("never suspected, seed " + seed).containsExactly("live 3/1");
        assertThat(jittery.meanIntervalMs()).isBetween(900.0, 1_100.0);
    }

    @Test
    void aDeadMemberThatBeatsAgainIsLiveAgain()
    {
        final FailureDetector detector = new FailureDetector(8, 100, 10_000, 1_000, 60_000);
        detector.reportHeartbeat(4, 1, 0);
        detector.update(0, null, recorder);
        detector.update(100_000, null, recorder);
        assertThat(detector.isDead(4)).isTrue();
        assertThat(detector.deadCount()).isEqualTo(1);

        detector.reportHeartbeat(4, 1, 100_500);
        detector.update(100_600, null, recorder);
        assertThat(detector.isLive(4)).isTrue();
        assertThat(detector.deadCount()).isZero();
        assertThat(detector.deadSinceMs(4)).isEqualTo(Long.MIN_VALUE);
        assertThat(events).containsExactly("live 4/1", "dead 4/1", "revived 4/1");
    }

    @Test
    void aNewGenerationRestartsTheWindowAndAnOldOneIsIgnored()
    {
        final FailureDetector detector = new FailureDetector(8, 100, 10_000, 1_000, 60_000);
        for (long now = 0; now <= 10_000; now += 100)
        {
            detector.reportHeartbeat(4, 1, now);
        }
        detector.update(10_000, null, recorder);
        detector.update(40_000, null, recorder);
        assertThat(detector.isDead(4)).isTrue();

        detector.reportHeartbeat(4, 0, 40_100);
        detector.update(40_100, null, recorder);
        assertThat(detector.isDead(4)).as("an older generation proves nothing").isTrue();

        detector.reportHeartbeat(4, 2, 40_200);
        detector.update(40_200, null, recorder);
        assertThat(detector.isLive(4)).isTrue();
        // The restarted member is judged by the initial interval, not the old 100 ms cadence.
        assertThat(detector.phi(4, 40_200 + 1_000)).isCloseTo(1 / LN_10, within(1e-9));
        assertThat(events).containsExactly("live 4/1", "dead 4/1", "revived 4/2");
    }

    @Test
    void aLiveMemberThatRestartsIsReportedLiveInItsNewGeneration()
    {
        final FailureDetector detector = new FailureDetector(8, 100, 10_000, 1_000, 60_000);
        for (long now = 0; now <= 1_000; now += 100)
        {
            detector.reportHeartbeat(4, 1, now);
        }
        detector.update(1_000, null, recorder);

        // Back in a new generation before the detector found it silent: it never stopped being live.
        detector.reportHeartbeat(4, 2, 1_100);
        detector.update(1_100, null, recorder);
        assertThat(detector.isLive(4)).isTrue();
        assertThat(detector.liveCount()).isEqualTo(1);
        assertThat(events).containsExactly("live 4/1", "live 4/2");

        detector.reportHeartbeat(4, 2, 1_200);
        detector.update(1_200, null, recorder);
        assertThat(events).as("the new generation is reported once").containsExactly("live 4/1", "live 4/2");
    }

    @Test
    void deadMembersAreDroppedAfterTheGracePeriod()
    {
        final FailureDetector detector = new FailureDetector(8, 100, 10_000, 1_000, 60_000);
        for (int node = 1; node <= 3; node++)
        {
            detector.reportHeartbeat(node, 1, 0);
        }
        detector.reportHeartbeat(9, 1, 50_000);
        detector.update(50_000, null, recorder);
        assertThat(detector.deadCount()).isEqualTo(3);
        final long deadSince = detector.deadSinceMs(1);

        final int[] out = new int[2];
        assertThat(detector.collectExpired(deadSince + 59_999, out)).isZero();
        assertThat(detector.collectExpired(deadSince + 60_000, out)).as("bounded by the output array").isEqualTo(2);
        assertThat(detector.collectExpired(deadSince + 60_000, out)).isEqualTo(1);
        assertThat(detector.deadCount()).isZero();
        assertThat(detector.isDead(1) || detector.isDead(2) || detector.isDead(3)).isFalse();
        assertThat(detector.isLive(9)).isTrue();
        final int[] live = new int[4];
        assertThat(detector.liveNodes(live)).isEqualTo(1);
        assertThat(live[0]).isEqualTo(9);
        assertThat(detector.forget(9)).isTrue();
        assertThat(detector.liveCount()).isZero();
        assertThat(detector.forget(9)).isFalse();
    }

    @Test
    void poorLocalHealthNeverAccusesEarlierThanGoodHealth()
    {
        SeededTrials.run("poor health accuses no earlier", 30, random ->
        {
            final long meanMs = 200 + random.nextInt(2_000);
            final long[] beats = new long[50 + random.nextInt(200)];
            long now = 0;
            for (int i = 0; i < beats.length; i++)
            {
                beats[i] = now;
                now += meanMs / 2 + random.nextInt((int)meanMs + 1);
            }
            final long lastBeat = beats[beats.length - 1];
            long healthySilence = 0;
            long previousDeadAt = -1;
            for (int score = 0; score <= LocalHealth.DEFAULT_MAX_SCORE; score++)
            {
                final LocalHealth health = new LocalHealth(LocalHealth.DEFAULT_MAX_SCORE, 1_000, 10);
                for (int s = 0; s < score; s++)
                {
                    health.onProbeUnanswered();
                }
                final long deadAt = firstDeadAt(beats, health);
                assertThat(deadAt).isGreaterThan(previousDeadAt);
                if (0 == score)
                {
                    healthySilence = deadAt - lastBeat;
                }
                else
                {
                    assertThat((double)(deadAt - lastBeat) / healthySilence)
                        .isCloseTo(score + 1, within(0.01 * (score + 1)));
                }
                previousDeadAt = deadAt;
            }
        });
    }

    private static long firstDeadAt(final long[] beats, final LocalHealth health)
    {
        final FailureDetector detector = new FailureDetector(8, 1_000, 10_000, 1_000, 60_000);
        int next = 0;
        for (long now = 0; ; now += 10)
        {
            while (next < beats.length && beats[next] <= now)
            {
                detector.reportHeartbeat(1, 1, beats[next++]);
            }
            detector.update(now, health, LivenessListener.NO_OP);
            if (detector.isDead(1))
            {
                return now;
            }
        }
    }

    @Test
    void aStalledNodeDoubtsItselfBeforeAccusingPeers()
    {
        final LocalHealth health = new LocalHealth(LocalHealth.DEFAULT_MAX_SCORE, 1_000, 10);
        final FailureDetector aware = FailureDetector.withDefaults();
        final FailureDetector naive = FailureDetector.withDefaults();
        long now = 0;
        for (; now <= 120_000; now += 1_000)
        {
            health.onTick(now);
            for (int peer = 1; peer <= 3; peer++)
            {
                aware.reportHeartbeat(peer, 1, now);
                naive.reportHeartbeat(peer, 1, now);
            }
            aware.update(now, health, LivenessListener.NO_OP);
            naive.update(now, null, LivenessListener.NO_OP);
        }
        assertThat(health.score()).isZero();

        // This node's duty cycle stalls for 12 s (phi 5.2, over the threshold of 4 but under the 8 of a score of 1):
        // nothing is processed, then the first tick runs late.
        now += 12_000;
        health.onTick(now);
        assertThat(health.stallCount()).isEqualTo(1);
        assertThat(health.score()).isEqualTo(1);
        naive.update(now, null, LivenessListener.NO_OP);
        aware.update(now, health, LivenessListener.NO_OP);
        assertThat(naive.deadCount()).as("a naive detector accuses all three healthy peers").isEqualTo(3);
        assertThat(aware.liveCount()).as("a health-aware one does not").isEqualTo(3);

        // The backlog of heartbeats arrives; ticks are on time again and the score decays.
        for (int i = 0; i < 10; i++)
        {
            now += 1_000;
            health.onTick(now);
            for (int peer = 1; peer <= 3; peer++)
            {
                aware.reportHeartbeat(peer, 1, now);
            }
            aware.update(now, health, LivenessListener.NO_OP);
        }
        assertThat(health.score()).isZero();
        assertThat(aware.liveCount()).isEqualTo(3);
    }

    @Test
    void aPauseOfThisNodeIsDiscountedFromEveryMembersSilence()
    {
        final FailureDetector detector = FailureDetector.withDefaults();
        long now = 0;
        for (; now <= 60_000; now += 1_000)
        {
            detector.reportHeartbeat(1, 1, now);
            detector.update(now, null, LivenessListener.NO_OP);
        }
        final long last = now - 1_000;
        now = last + 60_000;
        final double before = detector.phi(1, now);
        detector.onLocalPause(59_000, now);
        assertThat(before).isGreaterThan(PhiAccrualDetector.DEFAULT_PHI_THRESHOLD);
        assertThat(detector.phi(1, now)).as("only the 1 s outside the pause counts").isLessThan(1.0);
        detector.update(now, null, LivenessListener.NO_OP);
        assertThat(detector.isLive(1)).isTrue();
        detector.onLocalPause(120_000, now);
        assertThat(detector.phi(1, now)).as("never later than now").isZero();
    }

    @Test
    void localHealthIsBoundedAndDecays()
    {
        final LocalHealth health = new LocalHealth(3, 100, 2);
        for (int i = 0; i < 10; i++)
        {
            health.onRefuted();
        }
        assertThat(health.score()).isEqualTo(3);
        assertThat(health.multiplier()).isEqualTo(4);
        assertThat(health.scaledThreshold(8.0)).isEqualTo(32.0);
        health.onProbeAnswered();
        assertThat(health.score()).isEqualTo(2);

        health.onTick(0);
        health.onTick(100);
        assertThat(health.score()).isEqualTo(2);
        health.onTick(200);
        assertThat(health.score()).as("two on-time ticks lower it").isEqualTo(1);
        health.onTick(201);
        health.onTick(402);
        assertThat(health.stallCount()).isEqualTo(1);
        health.onTick(403);
        assertThat(health.score()).as("a stall resets the healthy run").isEqualTo(2);
        for (int i = 0; i < 10; i++)
        {
            health.onProbeAnswered();
        }
        assertThat(health.score()).isZero();
        assertThatThrownBy(() -> new LocalHealth(-1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LocalHealth(1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LocalHealth(1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMemberThatLeftIsNeitherLiveNorDeadIgnoresItsOldBeatsAndReturnsInANewGeneration()
    {
        final FailureDetector detector = new FailureDetector(8, 100, 10_000, 1_000, 60_000);
        for (long t = 0; t <= 5_000; t += 1_000)
        {
            detector.reportHeartbeat(1, 7, t);
        }
        detector.update(5_000, null, recorder);
        assertThat(detector.isLive(1)).isTrue();

        assertThat(detector.markLeft(1, 6, 5_100)).as("another generation's leave").isFalse();
        assertThat(detector.markLeft(1, 7, 5_100)).isTrue();
        assertThat(detector.markLeft(1, 7, 5_200)).as("only once").isFalse();
        assertThat(detector.hasLeft(1)).isTrue();
        assertThat(detector.liveCount()).isZero();
        assertThat(detector.deadCount()).isZero();

        // Silence far past the threshold, then a late beat of the old generation: no death, no revival.
        detector.update(40_000, null, recorder);
        detector.reportHeartbeat(1, 7, 40_000);
        detector.update(40_001, null, recorder);
        assertThat(events).containsExactly("live 1/7");
        assertThat(detector.hasLeft(1)).isTrue();

        detector.reportHeartbeat(1, 8, 41_000);
        detector.update(41_000, null, recorder);
        assertThat(detector.hasLeft(1)).isFalse();
        assertThat(events).containsExactly("live 1/7", "live 1/8");
        assertThat(detector.liveCount()).isEqualTo(1);
    }

    @Test
    void aMemberThatLeftIsDroppedAfterTheGracePeriod()
    {
        final FailureDetector detector = new FailureDetector(8, 100, 10_000, 1_000, 60_000);
        detector.reportHeartbeat(1, 1, 0);
        detector.update(0, null, recorder);
        detector.markLeft(1, 1, 1_000);

        final int[] out = new int[4];
        assertThat(detector.collectExpired(60_999, out)).isZero();
        assertThat(detector.collectExpired(61_000, out)).isEqualTo(1);
        assertThat(out[0]).isEqualTo(1);
        assertThat(detector.hasLeft(1)).isFalse();
        assertThat(detector.deadCount()).isZero();
    }
}
