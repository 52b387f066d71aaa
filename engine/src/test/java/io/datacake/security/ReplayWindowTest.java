package io.datacake.security;

import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

final class ReplayWindowTest
{
    private final ReplayWindow window = new ReplayWindow();

    @Test
    void eachCounterIsAcceptedOnceInAnyOrderWithinTheWindow()
    {
        for (final long counter : new long[]{5, 3, 4, 0, 100, 99})
        {
            assertThat(window.isFresh(counter)).as("first %d", counter).isTrue();
            window.accept(counter);
            assertThat(window.isFresh(counter)).as("again %d", counter).isFalse();
        }
        assertThat(window.isFresh(1)).isTrue();
        assertThat(window.isFresh(2)).isTrue();
        assertThat(window.highest()).isEqualTo(100);
    }

    @Test
    void countersThatFellBehindTheWindowAreRefusedEvenIfNeverSeen()
    {
        window.accept(0);
        window.accept(ReplayWindow.WINDOW_SIZE + 1);
        assertThat(window.isFresh(1)).as("exactly the window behind").isFalse();
        assertThat(window.isFresh(2)).as("just inside").isTrue();
        window.accept(10L * ReplayWindow.BITMAP_BITS);
        assertThat(window.isFresh(10L * ReplayWindow.BITMAP_BITS - ReplayWindow.WINDOW_SIZE + 1)).isTrue();
        assertThat(window.isFresh(ReplayWindow.WINDOW_SIZE)).isFalse();
    }

    @Test
    void slidingClearsTheBitsOfCountersThatLeftTheWindow()
    {
        window.accept(70);
        // Slide by just under the bitmap: the word that held 70 is reused for 70 + BITMAP_BITS and must be clear.
        window.accept(70 + ReplayWindow.BITMAP_BITS);
        assertThat(window.isFresh(70 + ReplayWindow.BITMAP_BITS - 1)).isTrue();
        assertThat(window.isFresh(71 + ReplayWindow.BITMAP_BITS)).isTrue();
    }

    @Test
    void negativeCountersAreNeverFreshAndResetForgetsEverything()
    {
        assertThat(window.isFresh(-1)).isFalse();
        window.accept(42);
        window.reset();
        assertThat(window.highest()).isEqualTo(-1);
        assertThat(window.isFresh(42)).isTrue();
        assertThat(window.isFresh(0)).isTrue();
    }

    @Test
    void agreesWithAnExactModelUnderRandomReorderingAndDuplication()
    {
        SeededTrials.run("replay window matches its model", 50, (random) ->
        {
            final ReplayWindow subject = new ReplayWindow();
            final Set<Long> seen = new HashSet<>();
            long highest = -1;
            long next = 0;
            for (int i = 0; i < 20_000; i++)
            {
                final long counter;
                final int kind = random.nextInt(10);
                if (kind < 6)
                {
                    counter = next;
                    next += 1 + random.nextInt(3);
                }
                else if (kind < 9)
                {
                    counter = Math.max(0, next - 1 - random.nextInt(ReplayWindow.BITMAP_BITS + 200));
                }
                else
                {
                    next += random.nextInt(3 * ReplayWindow.BITMAP_BITS);
                    counter = next;
                }
                final boolean expected = !seen.contains(counter) &&
                    (counter > highest || highest - counter < ReplayWindow.WINDOW_SIZE);
                assertThat(subject.isFresh(counter)).as("counter %d at highest %d", counter, highest)
                    .isEqualTo(expected);
                if (expected)
                {
                    subject.accept(counter);
                    seen.add(counter);
                    highest = Math.max(highest, counter);
                }
            }
        });
    }
}
