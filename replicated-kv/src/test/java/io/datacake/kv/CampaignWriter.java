package io.datacake.kv;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A client thread of a crash campaign: writes unique keys at one consistency level to seeded random running nodes
 * of a {@link LoopbackKvCluster}, one write at a time, paced, until stopped or {@code maxWrites}; records every
 * write's {@link CampaignWrite.Outcome}.
 */
final class CampaignWriter implements Runnable
{
    /** Keys of writer {@code w} are {@code (w + 1) * KEY_BLOCK + sequence}. */
    static final long KEY_BLOCK = 1_000_000;

    private static final long REQUEST_TIMEOUT_S = 30;
    /** What a 503 says when the level could not be met with the members alive: the write was never started. */
    private static final String TOO_FEW_LIVE = "other live member";
    /** Start of a 503 for a back-pressured write: refused before anything was written. */
    private static final String BUSY = "the node is busy";

    private final int writerId;
    private final String level;
    private final LoopbackKvCluster cluster;
    private final String keyspace;
    private final SplittableRandom random;
    private final int maxWrites;
    private final long paceNs;
    private final List<CampaignWrite> writes = new ArrayList<>();
    private volatile boolean stopped;
    private volatile Throwable failure;

    CampaignWriter(
        final int writerId,
        final String level,
        final LoopbackKvCluster cluster,
        final String keyspace,
        final SplittableRandom random,
        final int maxWrites,
        final long paceMs)
    {
        if (maxWrites >= KEY_BLOCK)
        {
            throw new IllegalArgumentException("maxWrites " + maxWrites + " must be under " + KEY_BLOCK);
        }
        this.writerId = writerId;
        this.level = level;
        this.cluster = cluster;
        this.keyspace = keyspace;
        this.random = random;
        this.maxWrites = maxWrites;
        this.paceNs = TimeUnit.MILLISECONDS.toNanos(paceMs);
    }

    static long key(final int writerId, final int sequence)
    {
        return (writerId + 1) * KEY_BLOCK + sequence;
    }

    static String value(final int writerId, final int sequence, final String level)
    {
        return "w" + writerId + "-s" + sequence + "-" + level;
    }

    public void run()
    {
        try
        {
            for (int sequence = 1; sequence <= maxWrites && !stopped; sequence++)
            {
                final int node = pickRunningNode();
                if (LoopbackKvCluster.NO_PORT == node)
                {
                    sequence--;
                }
                else
                {
                    writes.add(write(node, sequence));
                }
                // Pacing, not waiting for a condition: it bounds the write rate so the check stays small.
                LockSupport.parkNanos(paceNs);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            failure = ex;
        }
        catch (final RuntimeException | Error ex)
        {
            failure = ex;
        }
    }

    void stop()
    {
        stopped = true;
    }

    int writerId()
    {
        return writerId;
    }

    /**
     * @return the writes sent, in order; read only after the thread ended.
     * @throws AssertionError if the thread failed.
     */
    List<CampaignWrite> writes()
    {
        if (null != failure)
        {
            throw new AssertionError("writer " + writerId + " failed", failure);
        }
        return writes;
    }

    private int pickRunningNode()
    {
        final int first = random.nextInt(LoopbackKvCluster.NODES);
        for (int i = 0; i < LoopbackKvCluster.NODES; i++)
        {
            final int node = (first + i) % LoopbackKvCluster.NODES;
            if (LoopbackKvCluster.NO_PORT != cluster.httpPort(node))
            {
                return node;
            }
        }
        return LoopbackKvCluster.NO_PORT;
    }

    private CampaignWrite write(final int node, final int sequence) throws InterruptedException
    {
        final long key = key(writerId, sequence);
        final String value = value(writerId, sequence, level);
        final int port = cluster.httpPort(node);
        if (LoopbackKvCluster.NO_PORT == port)
        {
            return new CampaignWrite(key, value, level, node, CampaignWrite.Outcome.FAILED, "node not running");
        }
        final HttpRequest request = HttpRequest.newBuilder(
            cluster.uri(node, port, "/" + keyspace + "/" + key + "?consistency=" + level))
            .timeout(Duration.ofSeconds(REQUEST_TIMEOUT_S))
            .PUT(BodyPublishers.ofString(value))
            .build();
        try
        {
            final HttpResponse<String> response =
                cluster.client().send(request, BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new CampaignWrite(key, value, level, node, outcome(response.statusCode(), response.body()),
                response.statusCode() + " " + response.body());
        }
        catch (final ConnectException ex)
        {
            return new CampaignWrite(key, value, level, node, CampaignWrite.Outcome.FAILED, ex.toString());
        }
        catch (final IOException ex)
        {
            return new CampaignWrite(key, value, level, node, CampaignWrite.Outcome.UNKNOWN, ex.toString());
        }
    }

    static CampaignWrite.Outcome outcome(final int status, final String body)
    {
        if (200 == status)
        {
            return CampaignWrite.Outcome.OK;
        }
        if (503 == status && (body.contains(TOO_FEW_LIVE) || body.startsWith(BUSY)))
        {
            return CampaignWrite.Outcome.FAILED;
        }
        return CampaignWrite.Outcome.UNKNOWN;
    }
}
