/**
 * Deadline timers for the node thread: {@link io.datacake.timer.DeadlineTimers} keeps a target object per timer on
 * Agrona's timer wheel without hashing or allocation. The node's component timers and the RPC layer's call
 * timeouts both run on it.
 */
package io.datacake.timer;
