/**
 * The transport SPI ({@link io.datacake.transport.Transport}) the engine sends and polls frames through, and the
 * in-process implementation for tests and for nodes in one JVM. Aeron and the simulated network implement the same
 * interface.
 */
package io.datacake.transport;
