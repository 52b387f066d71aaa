package io.datacake.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Runs one single-threaded JMH benchmark method in a plain loop and reports the <em>thread CPU time</em> per
 * operation, median and spread over several batches. On a shared machine wall-clock JMH figures swing with the
 * scheduler; CPU time per operation does not count the time the thread was not running, so an A/B comparison of
 * two builds (run this class against each build's benchmark jar, alternately) stays readable under load.
 * <p>
 * Only for benchmarks whose state is the benchmark class itself ({@code @State(Scope.Thread)}), set up by one
 * public no-argument {@code @Setup} method named {@code setup} and torn down by {@code tearDown}.
 * <pre>
 * java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *   io.datacake.benchmarks.CpuTimeRun io.datacake.benchmarks.rpc.RpcRoundTripBenchmark rpcRoundTrip \
 *   bodyLength=32 [batches=15] [opsPerBatch=200000]
 * </pre>
 */
public final class CpuTimeRun
{
    private CpuTimeRun()
    {
    }

    /**
     * Entry point.
     *
     * @param args benchmark class, method, then {@code field=value} parameters, {@code batches=N},
     *             {@code opsPerBatch=N}.
     * @throws Exception if the benchmark cannot be set up or run.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length < 2)
        {
            System.err.println("usage: CpuTimeRun <benchmark class> <method> [field=value ...] [batches=N] " +
                "[opsPerBatch=N]");
            System.exit(2);
        }
        final Class<?> type = Class.forName(args[0]);
        final Object benchmark = type.getDeclaredConstructor().newInstance();
        int batches = 15;
        int opsPerBatch = 200_000;
        for (int i = 2; i < args.length; i++)
        {
            final String[] pair = args[i].split("=", 2);
            if ("batches".equals(pair[0]))
            {
                batches = Integer.parseInt(pair[1]);
            }
            else if ("opsPerBatch".equals(pair[0]))
            {
                opsPerBatch = Integer.parseInt(pair[1]);
            }
            else
            {
                final Field field = type.getDeclaredField(pair[0]);
                field.setAccessible(true);
                field.set(benchmark, field.getType() == int.class ? (Object)Integer.parseInt(pair[1]) : pair[1]);
            }
        }
        final Method operation = type.getMethod(args[1]);
        type.getMethod("setup").invoke(benchmark);
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final double[] nsPerOp = new double[batches];
        try
        {
            // Warm-up: as many operations as two batches, not recorded.
            for (int i = 0; i < 2 * opsPerBatch; i++)
            {
                operation.invoke(benchmark);
            }
            for (int b = 0; b < batches; b++)
            {
                final long start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < opsPerBatch; i++)
                {
                    operation.invoke(benchmark);
                }
                nsPerOp[b] = (threads.getCurrentThreadCpuTime() - start) / (double)opsPerBatch;
            }
        }
        finally
        {
            type.getMethod("tearDown").invoke(benchmark);
        }
        Arrays.sort(nsPerOp);
        System.out.printf("%s.%s %s: CPU ns/op median %.1f, min %.1f, max %.1f over %d batches of %d%n",
            type.getSimpleName(), args[1], String.join(" ", Arrays.copyOfRange(args, 2, args.length)),
            nsPerOp[batches / 2], nsPerOp[0], nsPerOp[batches - 1], batches, opsPerBatch);
    }
}
