package io.datacake.rpc;

import org.agrona.collections.Int2ObjectHashMap;

import java.nio.charset.StandardCharsets;

/**
 * A named group of handlers registered on a node, one per message type id. Requests address a service by a
 * 32-bit id: by default the FNV-1a hash of the name ({@link #idOf(String)}), so clients can call by name without
 * a registry; an explicit id can be given instead.
 * <p>
 * Build it before registering it; afterwards it is read by the node thread only.
 */
public final class RpcService
{
    private final String name;
    private final int id;
    private final Int2ObjectHashMap<RpcHandler> handlerByMessageType = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<RpcStreamHandler> streamHandlerByMessageType = new Int2ObjectHashMap<>();

    /**
     * A service whose id is {@link #idOf(String) idOf(name)}.
     *
     * @param name the service name, non-empty.
     * @throws IllegalArgumentException if the name is empty.
     */
    public RpcService(final String name)
    {
        this(name, idOf(name));
    }

    /**
     * A service with an explicit id.
     *
     * @param name the service name, for logs and errors.
     * @param id   the id requests address.
     * @throws IllegalArgumentException if the name is empty.
     */
    public RpcService(final String name, final int id)
    {
        if (null == name || name.isEmpty())
        {
            throw new IllegalArgumentException("service name must be non-empty");
        }
        this.name = name;
        this.id = id;
    }

    /**
     * The service id for a name: 32-bit FNV-1a of its UTF-8 bytes. Stable across versions and JVMs.
     *
     * @param name the service name.
     * @return the id.
     * @throws IllegalArgumentException if the name is empty.
     */
    public static int idOf(final String name)
    {
        if (null == name || name.isEmpty())
        {
            throw new IllegalArgumentException("service name must be non-empty");
        }
        int hash = 0x811C9DC5;
        for (final byte b : name.getBytes(StandardCharsets.UTF_8))
        {
            hash ^= b & 0xFF;
            hash *= 0x01000193;
        }
        return hash;
    }

    /**
     * Register the handler for a message type.
     *
     * @param messageTypeId the message type id, unique within this service.
     * @param handler       the handler.
     * @return this.
     * @throws IllegalArgumentException if a handler is already registered for the type.
     */
    public RpcService handler(final int messageTypeId, final RpcHandler handler)
    {
        if (null == handler)
        {
            throw new NullPointerException("handler");
        }
        checkFree(messageTypeId);
        handlerByMessageType.put(messageTypeId, handler);
        return this;
    }

    /**
     * Register a handler that consumes the request body of a message type chunk by chunk.
     *
     * @param messageTypeId the message type id, unique within this service.
     * @param handler       the streaming handler.
     * @return this.
     * @throws IllegalArgumentException if a handler is already registered for the type.
     */
    public RpcService streamHandler(final int messageTypeId, final RpcStreamHandler handler)
    {
        if (null == handler)
        {
            throw new NullPointerException("handler");
        }
        checkFree(messageTypeId);
        streamHandlerByMessageType.put(messageTypeId, handler);
        return this;
    }

    /**
     * The streaming handler for a message type.
     *
     * @param messageTypeId the type id.
     * @return the streaming handler, or null if none is registered.
     */
    public RpcStreamHandler streamHandler(final int messageTypeId)
    {
        return streamHandlerByMessageType.get(messageTypeId);
    }

    private void checkFree(final int messageTypeId)
    {
        if (handlerByMessageType.containsKey(messageTypeId) || streamHandlerByMessageType.containsKey(messageTypeId))
        {
            throw new IllegalArgumentException(
                "service '" + name + "' already has a handler for message type " + messageTypeId);
        }
    }

    /**
     * The service name.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * The service id.
     *
     * @return the id.
     */
    public int id()
    {
        return id;
    }

    /**
     * The handler for a message type.
     *
     * @param messageTypeId the type id.
     * @return the handler, or null if none is registered.
     */
    public RpcHandler handler(final int messageTypeId)
    {
        return handlerByMessageType.get(messageTypeId);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "RpcService{" + name + ", id=" + id + ", messageTypes=" + handlerByMessageType.keySet() +
            ", streamedMessageTypes=" + streamHandlerByMessageType.keySet() + "}";
    }
}
