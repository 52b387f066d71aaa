/**
 * RPC over the transport SPI: services and handlers, request/response with correlation ids and timeouts, one-way
 * messages, headers, typed errors and streamed bodies with flow control. Wire frames are SBE flyweights generated
 * from {@code src/main/sbe/datacake-frames.xml} into {@code io.datacake.protocol}.
 */
package io.datacake.rpc;
