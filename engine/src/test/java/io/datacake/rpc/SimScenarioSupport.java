package io.datacake.rpc;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Small helpers shared by simulation tests outside this package.
 */
public final class SimScenarioSupport
{
    private SimScenarioSupport()
    {
    }

    /**
     * The echo service of the RPC scenarios (message 1 echoes the body).
     *
     * @return a new service.
     */
    public static RpcService echo()
    {
        return RpcScenarios.echoService();
    }

    /**
     * The RPC error a failed future carries.
     *
     * @param future a future completed exceptionally with an {@link RpcException}.
     * @return its error.
     */
    public static RpcError errorOf(final CompletableFuture<?> future)
    {
        try
        {
            future.get();
            throw new AssertionError("future succeeded");
        }
        catch (final ExecutionException ex)
        {
            return ((RpcException)ex.getCause()).error();
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError(ex);
        }
    }
}
