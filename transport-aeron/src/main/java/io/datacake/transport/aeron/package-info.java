/**
 * The engine's {@link io.datacake.transport.Transport} over Aeron: {@link io.datacake.transport.aeron.AeronTransport}
 * on {@code aeron:ipc} (nodes sharing a media driver) or {@code aeron:udp} (nodes across hosts), addressed by
 * {@link io.datacake.transport.aeron.AeronEndpoint}s; {@link io.datacake.transport.aeron.AeronDriver} launches an
 * embedded media driver in its own directory (or attaches to an external one) and cleans up after it; fault injection
 * through Aeron's loss generators ({@link io.datacake.transport.aeron.SwitchableLossGenerator}).
 */
package io.datacake.transport.aeron;
