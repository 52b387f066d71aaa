/**
 * RPC over the transport SPI: services and handlers, request/response with correlation ids and timeouts, one-way
 * messages, headers, typed errors, cancellation and streamed bodies with flow control. Wire frames are SBE
 * flyweights generated from {@code src/main/sbe/datacake-frames.xml} into {@code io.datacake.protocol}.
 * <p>
 * <b>Shape.</b> Components (membership, the replicated store, applications) see only {@link io.datacake.rpc.Rpc}:
 * call, send, cancel, resolvePeer and the service registry. The node owns an {@link io.datacake.rpc.RpcLayer},
 * built from an {@link io.datacake.rpc.RpcContext} (settings, transport, clocks, {@link io.datacake.rpc.RpcCounters}),
 * polls the transport into its frame handler and drives its duty cycle. Inside, one class per job, as Aeron splits
 * its agents:
 * <ul>
 *     <li>{@code FrameAdapter}: checks the message and frame header (schema, version, cluster id) of every incoming
 *     frame before anything else reads it, decodes in place with every length checked, merges the HLC stamp of
 *     frames that decode cleanly, and routes them; malformed and foreign frames are dropped and counted by
 *     reason;</li>
 *     <li>{@code FramePublisher}: the one place that claims, encodes and commits every outgoing frame (requests,
 *     one-way messages, responses, chunks, credits); replies the transport cannot take yet go to its
 *     {@code PendingReplies} queue, encoded, and are offered again from the duty cycle;</li>
 *     <li>{@code CallRegistry}: pending calls (pooled), their timeouts, per-peer send queues, cancellation, and
 *     matching responses by (responder node, correlation id);</li>
 *     <li>{@code StreamManager}: streamed bodies both ways, credits, and abandoning streams without progress;</li>
 *     <li>{@code RequestDispatcher}: the service registry, reply routes and running handlers.</li>
 * </ul>
 * <p>
 * <b>Guarantees.</b> Requests and one-way messages to one peer are dispatched there in the order they were sent,
 * on a transport that does not reorder (see {@link io.datacake.rpc.Rpc}). Delivery is at least once: a duplicated
 * request runs its handler again and the caller takes the first response. Every streamed body carries a stream id,
 * so a caller never combines parts of two answers. A call completes at most once and never after
 * {@link io.datacake.rpc.Rpc#cancel}. Replies to a requester the transport is not connected to yet, or is
 * back-pressured towards, are queued (bounded, with a deadline) rather than dropped.
 */
package io.datacake.rpc;
