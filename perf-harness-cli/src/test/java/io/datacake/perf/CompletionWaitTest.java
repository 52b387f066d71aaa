package io.datacake.perf;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompletionWaitTest
{
    /** Generous: the waiter is expected back at once, this only keeps a broken wake from hanging the build. */
    private static final long DEADLINE_MS = 30_000;

    @Test
    void returnsAtOnceWhenReadyAndFalseWhenStoppedFirst()
    {
        final CompletionWait wait = new CompletionWait();

        assertThat(wait.await(() -> true, () -> true)).isTrue();
        assertThat(wait.await(() -> false, () -> true)).isFalse();
    }

    @Test
    void aParkedWaiterIsWokenByTheCompletionNotByItsParkEnding() throws Exception
    {
        // Parks that would outlast the test: only wake() can bring the waiter back before the deadline.
        final CompletionWait wait = new CompletionWait(Long.MAX_VALUE);
        final AtomicBoolean ready = new AtomicBoolean();
        final AtomicBoolean result = new AtomicBoolean();
        final Thread waiter = new Thread(() -> result.set(wait.await(ready::get, () -> false)), "waiter");
        waiter.setDaemon(true);
        waiter.start();
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        // Past its spins and yields the waiter parks: the only timed wait on its path.
        while (waiter.getState() != Thread.State.TIMED_WAITING && System.nanoTime() - deadlineNs < 0)
        {
            Thread.yield();
        }
        assertThat(waiter.getState()).isEqualTo(Thread.State.TIMED_WAITING);

        ready.set(true);
        wait.wake();
        waiter.join(DEADLINE_MS);

        assertThat(waiter.isAlive()).as("waiter still parked after wake()").isFalse();
        assertThat(result.get()).isTrue();
    }

    @Test
    void rejectsAParkBoundThatIsNotAboveZero()
    {
        assertThatThrownBy(() -> new CompletionWait(0))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("maxParkNs must be above 0");
    }
}
