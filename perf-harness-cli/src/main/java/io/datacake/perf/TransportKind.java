package io.datacake.perf;

/**
 * The transports an embedded cluster can run on.
 */
public enum TransportKind
{
    /** Aeron IPC through one shared embedded media driver. */
    AERON_IPC,
    /** Aeron UDP on loopback through one shared embedded media driver. */
    AERON_UDP,
    /** The engine's in-process transport (no Aeron): the engine's own overhead. */
    IN_PROCESS
}
