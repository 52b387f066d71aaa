package io.datacake.kv;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JDK's HTTP server on a small bounded pool: {@link #THREADS} request threads and a queue of
 * {@link #QUEUE_CAPACITY} requests. A request that finds the queue full is answered on the server's dispatcher
 * thread at once, 503 with {@code Retry-After}, without reaching the API: the dispatcher never waits on the store and
 * nothing grows without bound. With a {@link BearerToken}, every request without it is answered 401 before anything
 * else reads it, on whichever thread it arrives.
 */
final class KvHttpServer implements AutoCloseable
{
    /** Request threads: each may wait on one write's outcome. */
    static final int THREADS = 8;

    /** Requests waiting for a request thread. */
    static final int QUEUE_CAPACITY = 256;

    /** Connections the listening socket queues before the server accepts them. */
    static final int BACKLOG = 128;

    /** How long close waits for request threads to finish after the node closed under them. */
    static final long CLOSE_WAIT_MS = 5_000;

    private final HttpServer server;
    private final ThreadPoolExecutor executor;

    private KvHttpServer(final HttpServer server, final ThreadPoolExecutor executor)
    {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Bind and start with the default bounds.
     *
     * @param listen   where to listen; port 0 picks a free port.
     * @param token    the token every request must carry, or null for none.
     * @param api      answers the requests, on the request threads.
     * @param counters counts the requests shed and refused.
     * @return the running server.
     * @throws UncheckedIOException if the address cannot be bound.
     */
    static KvHttpServer start(
        final HostPort listen, final BearerToken token, final HttpHandler api, final HttpCounters counters)
    {
        return start(listen, THREADS, QUEUE_CAPACITY, token, api, counters);
    }

    /**
     * Bind and start.
     *
     * @param listen        where to listen; port 0 picks a free port.
     * @param threads       request threads.
     * @param queueCapacity requests waiting for a thread; one more is shed.
     * @param token         the token every request must carry, or null for none.
     * @param api           answers the requests, on the request threads.
     * @param counters      counts the requests shed and refused.
     * @return the running server.
     * @throws UncheckedIOException if the address cannot be bound.
     */
    static KvHttpServer start(final HostPort listen, final int threads, final int queueCapacity,
        final BearerToken token, final HttpHandler api, final HttpCounters counters)
    {
        final ThreadLocal<Boolean> shedding = new ThreadLocal<>();
        final AtomicInteger threadCount = new AtomicInteger();
        final ThreadPoolExecutor executor = new ThreadPoolExecutor(
            threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queueCapacity),
            (runnable) ->
            {
                final Thread thread = new Thread(runnable, "datacake-kv-http-" + threadCount.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            },
            (runnable, pool) ->
            {
                // The server's exchange runs here, on the dispatcher: it parses the request, then the handler below
                // sees the flag and answers without waiting.
                shedding.set(Boolean.TRUE);
                try
                {
                    runnable.run();
                }
                finally
                {
                    shedding.remove();
                }
            });
        final HttpServer server;
        try
        {
            server = HttpServer.create(new InetSocketAddress(listen.host(), listen.port()), BACKLOG);
        }
        catch (final IOException ex)
        {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot listen for HTTP on " + listen + ": " + ex.getMessage(), ex);
        }
        server.createContext("/", (exchange) ->
        {
            if (null != token && !token.accepts(exchange.getRequestHeaders().getFirst("Authorization")))
            {
                answerAndClose(exchange, HttpReply.unauthorized(), counters);
            }
            else if (Boolean.TRUE.equals(shedding.get()))
            {
                answerAndClose(exchange, HttpReply.retryLater(
                    "the node is busy: too many requests in progress; retry later", KvApi.RETRY_AFTER_S), counters);
            }
            else
            {
                api.handle(exchange);
            }
        });
        server.setExecutor(executor);
        server.start();
        return new KvHttpServer(server, executor);
    }

    private static void answerAndClose(final HttpExchange exchange, final HttpReply reply, final HttpCounters counters)
        throws IOException
    {
        try
        {
            counters.record(reply);
            reply.send(exchange);
        }
        finally
        {
            exchange.close();
        }
    }

    /**
     * @return the bound address (with the port picked when 0 was asked for).
     */
    InetSocketAddress address()
    {
        return server.getAddress();
    }

    /**
     * Stop accepting and close the listening socket at once; requests in progress finish on their threads.
     */
    void stopAccepting()
    {
        server.stop(0);
        executor.shutdown();
    }

    /**
     * Wait (bounded) for the request threads to finish.
     *
     * @return true if they all finished.
     */
    boolean awaitRequests()
    {
        try
        {
            return executor.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Stop and wait for the request threads.
     */
    public void close()
    {
        stopAccepting();
        awaitRequests();
    }
}
