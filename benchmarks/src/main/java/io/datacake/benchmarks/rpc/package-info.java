/**
 * Node and RPC benchmarks on the in-process transport: request/response round trips against raw transport
 * ping-pong, and the node command queue against a bare queue and agent.
 */
package io.datacake.benchmarks.rpc;
