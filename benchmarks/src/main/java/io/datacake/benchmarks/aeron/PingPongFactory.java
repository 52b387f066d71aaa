package io.datacake.benchmarks.aeron;

import io.datacake.transport.aeron.AeronDriver;
import io.datacake.transport.aeron.AeronEndpoint;

/**
 * Creates one variant of the ping-pong on a driver and a pair of endpoints.
 */
@FunctionalInterface
public interface PingPongFactory
{
    /**
     * Create and start the ping-pong.
     *
     * @param driver        the launched driver.
     * @param endpoints     {@code [pinger, echoer]} endpoints.
     * @param messageLength bytes per message.
     * @return the running ping-pong.
     */
    PingPong create(AeronDriver driver, AeronEndpoint[] endpoints, int messageLength);
}
