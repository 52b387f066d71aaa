package io.datacake.benchmarks.aeron;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.node.NodeServices;
import io.datacake.rpc.Rpc;
import io.datacake.rpc.RpcError;
import io.datacake.rpc.RpcResponseListener;
import io.datacake.rpc.RpcService;
import io.datacake.security.FrameProtection;
import io.datacake.security.Keyring;
import io.datacake.transport.aeron.AeronDriver;
import io.datacake.transport.aeron.AeronEndpoint;
import io.datacake.transport.aeron.AeronTransport;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * The same ping-pong as {@link RawAeronPingPong} as an RPC between two datacake nodes over {@link AeronTransport}s:
 * the calling node runs in invoker mode, stepped by the benchmark thread, which calls {@link Rpc#call} on it
 * (what gossip and replication do on the node thread); the echoing node runs on its own thread with the same idle
 * strategy as the raw echo thread. Thread topology is the raw ping-pong's: one pinging thread, one echoing thread.
 * <p>
 * The frame on the wire is the message body plus the RPC header (frame header, correlation id, the sender's endpoint
 * string), so it is longer than the raw ping-pong's message of the same body length.
 */
public final class RpcPingPong implements PingPong, RpcResponseListener
{
    /** Service the echoing node registers. */
    public static final String SERVICE = "bench-echo";
    /** Message type of the echo request. */
    public static final int ECHO = 1;
    /**
     * Timeout of one call: far above a round trip. The RPC layer drops a reply it cannot send within its retry bound
     * (back-pressure), and the call then times out: the benchmark retries it, so a dropped reply shows up as a
     * 100 ms sample in the tail and in {@link #timeouts()}, instead of failing the run.
     */
    public static final long CALL_TIMEOUT_MS = 100;
    /** How long a pair with an externally stepped echoing node may take to connect, at construction. */
    public static final long CONNECT_TIMEOUT_MS = 30_000;
    /** Bound on retries of one round trip that the RPC layer reports back-pressured or timed out. */
    public static final int MAX_ATTEMPTS = 1_000_000;
    /**
     * Bound on retries of one round trip that the RPC layer reports as unreachable (the peer's publication lost its
     * connection, which on a shared loopback can happen; each retry waits up to the node's connect timeout).
     */
    public static final int MAX_UNREACHABLE_ATTEMPTS = 5;

    private final Node caller;
    private final Node echoer;
    private final AeronTransport callerTransport;
    private final AeronTransport echoTransport;
    private final AgentInvoker invoker;
    private final AgentInvoker echoInvoker;
    private final AgentInvoker externalEchoInvoker;
    private final Rpc rpc;
    private final int peer;
    private final int serviceId = RpcService.idOf(SERVICE);
    private final UnsafeBuffer body;
    private final IdleStrategy idle;
    private boolean done;
    private long timeouts;
    private long backPressuredCalls;
    private long unreachableCalls;
    private RpcError error;
    private String errorMessage;

    /**
     * Start both nodes.
     *
     * @param driver        a launched driver.
     * @param endpoints     {@code [caller, echoer]} endpoints.
     * @param messageLength body bytes per call.
     * @param stepped       true to step the echoing node on the calling thread too (no echo thread): measures CPU
     *                      cost, not wake-ups.
     */
    public RpcPingPong(
        final AeronDriver driver, final AeronEndpoint[] endpoints, final int messageLength, final boolean stepped)
    {
        this(driver, endpoints, messageLength, stepped, null, FrameProtection.AUTHENTICATE);
    }

    /**
     * Start both nodes, securing every frame with a keyring.
     *
     * @param driver        a launched driver.
     * @param endpoints     {@code [caller, echoer]} endpoints.
     * @param messageLength body bytes per call.
     * @param stepped       true to step the echoing node on the calling thread too.
     * @param keyring       the keyring both nodes share, or null for unsecured frames.
     * @param protection    what the keyring does to every frame; ignored without a keyring.
     */
    public RpcPingPong(
        final AeronDriver driver, final AeronEndpoint[] endpoints, final int messageLength, final boolean stepped,
        final Keyring keyring, final FrameProtection protection)
    {
        this(driver, driver, endpoints, messageLength, stepped ? Echo.STEPPED : Echo.OWN_THREAD, keyring, protection,
            BenchMedia.newApplicationIdleStrategy());
    }

    /**
     * Start both nodes, each on its own driver, with the echoing node stepped by a thread of the caller's choosing
     * through {@link #echoInvoker()}: with an invoked driver per side ({@code ThreadingMode.INVOKER}) and busy-spin
     * idle strategies, exactly two threads run the round trip, and neither sleeps.
     *
     * @param callerDriver the calling node's launched driver.
     * @param echoDriver   the echoing node's launched driver.
     * @param endpoints    {@code [caller, echoer]} endpoints.
     * @param messageLength body bytes per call.
     * @param keyring      the keyring both nodes share, or null for unsecured frames.
     * @param protection   what the keyring does to every frame; ignored without a keyring.
     * @param idle         how the calling thread waits for the response.
     */
    public RpcPingPong(
        final AeronDriver callerDriver, final AeronDriver echoDriver, final AeronEndpoint[] endpoints,
        final int messageLength, final Keyring keyring, final FrameProtection protection, final IdleStrategy idle)
    {
        this(callerDriver, echoDriver, endpoints, messageLength, Echo.EXTERNAL, keyring, protection, idle);
    }

    private RpcPingPong(
        final AeronDriver callerDriver, final AeronDriver echoDriver, final AeronEndpoint[] endpoints,
        final int messageLength, final Echo echo, final Keyring keyring, final FrameProtection protection,
        final IdleStrategy idle)
    {
        this.idle = idle;
        body = new UnsafeBuffer(new byte[messageLength]);
        callerTransport = AeronTransport.create(callerDriver, endpoints[0], BenchMedia.transportSettings());
        echoTransport = AeronTransport.create(echoDriver, endpoints[1], BenchMedia.transportSettings());
        echoer = Node.launch(new NodeContext()
            .nodeId(2)
            .keyring(keyring)
            .frameProtection(protection)
            .transport(echoTransport)
            .ownsTransport(true)
            .idleStrategy(BenchMedia.newApplicationIdleStrategy())
            .useAgentInvoker(echo != Echo.OWN_THREAD)
            .addService(echoService()));
        externalEchoInvoker = echo == Echo.EXTERNAL ? echoer.invoker() : null;
        echoInvoker = echo == Echo.STEPPED ? echoer.invoker() : null;
        caller = Node.launch(new NodeContext()
            .nodeId(1)
            .keyring(keyring)
            .frameProtection(protection)
            .transport(callerTransport)
            .ownsTransport(true)
            .useAgentInvoker(true));
        invoker = caller.invoker();

        final NodeServices[] services = new NodeServices[1];
        caller.submit((nodeServices) -> services[0] = nodeServices);
        final AgentInvoker setupEchoInvoker = echo == Echo.OWN_THREAD ? null : echoer.invoker();
        while (null == services[0])
        {
            idle.idle(invoker.invoke() + (null == setupEchoInvoker ? 0 : setupEchoInvoker.invoke()));
        }
        rpc = services[0].rpc();
        peer = rpc.resolvePeer(echoer.endpoint());
        if (echo == Echo.EXTERNAL)
        {
            // Connected now, while this thread steps both sides: the echo thread that steps the echoing node later
            // may leave it unpolled for a while, and a connection still being set up then can miss its deadline.
            connect(setupEchoInvoker);
        }
    }

    private void connect(final AgentInvoker echo)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONNECT_TIMEOUT_MS);
        RpcError failure;
        while (null != (failure = call(echo)))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("the nodes did not connect within " + CONNECT_TIMEOUT_MS +
                    " ms: the last call failed with " + failure + " " + errorMessage);
            }
        }
    }

    /**
     * The echoing node's invoker, for the one thread that steps it after construction (a happens-before edge from
     * the constructing thread, such as {@link Thread#start()}, must precede its first call).
     *
     * @return the invoker.
     * @throws IllegalStateException unless constructed with an externally stepped echoing node.
     */
    public AgentInvoker echoInvoker()
    {
        if (null == externalEchoInvoker)
        {
            throw new IllegalStateException("the echoing node is not stepped externally: it runs on " +
                (null == echoInvoker ? "its own thread" : "the calling thread"));
        }
        return externalEchoInvoker;
    }

    /**
     * One duty cycle of the calling node (and, through its transport, of an invoked driver), on the calling thread.
     *
     * @return the work done.
     */
    public int pollCaller()
    {
        return invoker.invoke();
    }

    static RpcService echoService()
    {
        return new RpcService(SERVICE).handler(ECHO, (request, reply) ->
            reply.send(request.body(), request.bodyOffset(), request.bodyLength()));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the call fails other than back-pressured or timed out, or keeps failing.
     */
    public void roundTrip()
    {
        int unreachable = 0;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++)
        {
            final RpcError error = call(echoInvoker);
            if (null == error)
            {
                return;
            }
            if (RpcError.TIMEOUT == error)
            {
                timeouts++;
            }
            else if (RpcError.BACK_PRESSURED == error)
            {
                backPressuredCalls++;
            }
            else if (RpcError.PEER_UNREACHABLE == error && ++unreachable < MAX_UNREACHABLE_ATTEMPTS)
            {
                unreachableCalls++;
            }
            else
            {
                throw new IllegalStateException("benchmark call failed: " + error + " " + errorMessage +
                    " (back-pressured sends: caller " +
                    callerTransport.backPressuredCount() + ", echoer " + echoTransport.backPressuredCount() + ")");
            }
            // The request could not be sent (window full until the driver moves the limit) or its reply was dropped:
            // retry, as a caller would.
            idle.idle();
        }
        throw new IllegalStateException("benchmark call failed " + MAX_ATTEMPTS + " times in a row");
    }

    /**
     * One call, stepping the calling node (and the echoing node too if given) until it ends.
     *
     * @return null if it succeeded, else why it failed.
     */
    private RpcError call(final AgentInvoker echo)
    {
        done = false;
        error = null;
        rpc.call(peer, serviceId, ECHO, body, 0, body.capacity(), null, CALL_TIMEOUT_MS, this);
        idle.reset();
        if (null != echo)
        {
            while (!done)
            {
                idle.idle(invoker.invoke() + echo.invoke());
            }
        }
        else
        {
            while (!done)
            {
                idle.idle(invoker.invoke());
            }
        }
        return error;
    }

    /**
     * Calls that timed out and were retried (a reply dropped by the RPC layer under back-pressure).
     *
     * @return the count.
     */
    public long timeouts()
    {
        return timeouts;
    }

    /**
     * Calls the RPC layer refused as back-pressured and that were retried.
     *
     * @return the count.
     */
    public long backPressuredCalls()
    {
        return backPressuredCalls;
    }

    /**
     * {@inheritDoc}
     */
    public void onResponse(final long correlationId, final DirectBuffer buffer, final int offset, final int length)
    {
        done = true;
    }

    /**
     * {@inheritDoc}
     */
    public void onError(final long correlationId, final RpcError error, final String message)
    {
        this.error = error;
        errorMessage = message;
        done = true;
    }

    /**
     * Who steps the echoing node.
     */
    private enum Echo
    {
        /** Its own node thread. */
        OWN_THREAD,
        /** The calling thread, between its own polls. */
        STEPPED,
        /** A thread of the caller's choosing, through {@link #echoInvoker()}. */
        EXTERNAL
    }

    /**
     * {@inheritDoc}
     */
    public void close()
    {
        System.out.println("rpc ping-pong: retried after timeout " + timeouts + ", after back-pressure " +
            backPressuredCalls + ", after the peer was unreachable " + unreachableCalls);
        caller.close();
        echoer.close();
    }
}
