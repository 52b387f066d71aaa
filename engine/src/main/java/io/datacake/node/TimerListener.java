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
     * @param timerId the id {@link NodeTimers#schedule} returned.
     * @param nowMs   the node clock's time, in epoch milliseconds.
     */
    void onTimer(long timerId, long nowMs);
}
