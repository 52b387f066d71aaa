package io.datacake.node;

/**
 * Told when a timer scheduled with {@link NodeTimers} expires; runs on the node thread.
 */
@FunctionalInterface
public interface TimerListener
{
    /**
     * The timer expired.
     *
     * @param timerId     the id {@link NodeTimers#schedule} returned.
     * @param monotonicMs the monotonic time of this duty cycle ({@link NodeTimers#monotonicMs()}).
     */
    void onTimer(long timerId, long monotonicMs);
}
