package io.datacake.kv;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The client threads of a campaign: one {@link CampaignWriter} a thread, writer {@code w} at
 * {@code CrashCampaign.LEVELS[w % 3]}, started together and stopped together with a bounded join.
 */
final class CampaignWriters
{
    /** How long {@link #stop()} waits for each thread to end. */
    static final long JOIN_MS = 60_000;

    private final List<CampaignWriter> writers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * Start the writers.
     *
     * @param count              how many writers.
     * @param cluster            the nodes they write to.
     * @param keyspace           the keyspace they write in.
     * @param random             split once per writer for its node choices.
     * @param maxWritesPerWriter bound on one writer's writes.
     * @param paceMs             pause after each write of a writer.
     * @param threadName         start of each thread's name; the writer id follows.
     */
    CampaignWriters(
        final int count,
        final LoopbackKvCluster cluster,
        final String keyspace,
        final SplittableRandom random,
        final int maxWritesPerWriter,
        final long paceMs,
        final String threadName)
    {
        for (int w = 0; w < count; w++)
        {
            final String level = CrashCampaign.LEVELS.get(w % CrashCampaign.LEVELS.size());
            final CampaignWriter writer =
                new CampaignWriter(w, level, cluster, keyspace, random.split(), maxWritesPerWriter, paceMs);
            writers.add(writer);
            final Thread thread = new Thread(writer, threadName + w);
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
    }

    /**
     * Tell every writer to stop and wait for each thread to end.
     *
     * @throws AssertionError if a thread still runs {@link #JOIN_MS} after being told.
     */
    void stop() throws InterruptedException
    {
        writers.forEach(CampaignWriter::stop);
        for (final Thread thread : threads)
        {
            thread.join(JOIN_MS);
            if (thread.isAlive())
            {
                throw new AssertionError(thread.getName() + " still runs " + JOIN_MS + " ms after stop");
            }
        }
    }

    /**
     * @return the writers, to check once {@link #stop()} returned.
     */
    List<CampaignWriter> writers()
    {
        return writers;
    }
}
