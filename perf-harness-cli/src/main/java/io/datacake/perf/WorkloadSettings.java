package io.datacake.perf;

/**
 * What the client threads of a run do.
 *
 * @param threads           client threads.
 * @param inFlightPerThread most operations one thread has in flight; it waits for one to complete beyond that.
 * @param keyspaces         number of keyspaces, named {@code perf-0}, {@code perf-1}, ...; each operation picks one
 *                          uniformly.
 * @param keys              key space per keyspace, keys 0..keys-1 picked uniformly.
 * @param valueBytes        size of every value written.
 * @param mix               share of each operation.
 * @param consistency       level of puts and deletes.
 * @param ratePerSecond     operations per second over all threads, or 0 for as fast as they complete.
 * @param seed              seed of the keys, values, operations and keyspaces chosen.
 */
public record WorkloadSettings(
    int threads,
    int inFlightPerThread,
    int keyspaces,
    long keys,
    int valueBytes,
    OperationMix mix,
    Consistency consistency,
    double ratePerSecond,
    long seed)
{
    /** Prefix of the keyspace names: {@code perf-0}, {@code perf-1}, ... */
    public static final String KEYSPACE_PREFIX = "perf-";

    /**
     * @param index 0..keyspaces-1.
     * @return the keyspace's name.
     */
    public static String keyspaceName(final int index)
    {
        return KEYSPACE_PREFIX + index;
    }

    /**
     * @return the gap between one client thread's intended starts under {@link #ratePerSecond()} (each thread takes
     * an equal share of the rate), or 0 when the workload is unthrottled.
     */
    public long periodPerThreadNs()
    {
        return ratePerSecond > 0 ? Math.max(1, Math.round(threads * 1e9 / ratePerSecond)) : 0;
    }
}
