package io.datacake.kv;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The JDK's HTTP server on a small bounded pool: {@link #THREADS} request threads and a queue of
 * {@link #QUEUE_CAPACITY} requests. A request that finds the queue full is run on the server's dispatcher thread
 * with the shedding flag set, so the API answers it at once with 503 and {@code Retry-After} instead of waiting:
 * the dispatcher never blocks on the store and nothing grows without bound.
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
     * Bind and start.
     *
     * @param listen     where to listen; port 0 picks a free port.
     * @param apiFactory makes the handler, given the thread-local shedding flag.
     * @return the running server.
     * @throws UncheckedIOException if the address cannot be bound.
     */
    static KvHttpServer start(final HostPort listen, final Function<ThreadLocal<Boolean>, KvApi> apiFactory)
    {
        final ThreadLocal<Boolean> shedding = new ThreadLocal<>();
        final AtomicInteger threadCount = new AtomicInteger();
        final ThreadPoolExecutor executor = new ThreadPoolExecutor(
            THREADS, THREADS, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE_CAPACITY),
            (runnable) ->
            {
                final Thread thread = new Thread(runnable, "datacake-kv-http-" + threadCount.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            },
            (runnable, pool) ->
            {
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
        server.createContext("/", apiFactory.apply(shedding));
        server.setExecutor(executor);
        server.start();
        return new KvHttpServer(server, executor);
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
