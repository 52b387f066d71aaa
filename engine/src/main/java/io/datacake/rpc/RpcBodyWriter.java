package io.datacake.rpc;

import org.agrona.MutableDirectBuffer;

/**
 * Writes a response body in place, straight into the frame the transport claimed for it, for
 * {@link RpcReply#send(int, RpcBodyWriter)}: a handler whose body comes from elsewhere (a storage page, say) encodes
 * it once, with no staging buffer in between.
 */
@FunctionalInterface
public interface RpcBodyWriter
{
    /**
     * Write exactly {@code length} bytes of body; called once, on the node thread, before the frame is sent.
     *
     * @param buffer where the body goes (a transport claim, or the node's queue of replies waiting for room).
     * @param offset where the body starts.
     * @param length the body length given to {@link RpcReply#send(int, RpcBodyWriter)}; write all of it.
     */
    void writeBody(MutableDirectBuffer buffer, int offset, int length);
}
