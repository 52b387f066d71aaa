package io.datacake.perf.compare;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.DistributedData;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.Replicator;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.pattern.Patterns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Apache Pekko Distributed Data: one {@link ActorSystem} per member in this JVM on loopback (Artery over TCP, the
 * first member the seed node), each with its replicator. Keys live in {@link LWWMap}s; a put is an
 * {@link Replicator.Update} asked of the member's replicator from the client thread, acknowledged by the local
 * replica ({@link WriteMode#LOCAL}) or by every member ({@link WriteMode#ALL}). The keys are spread over several
 * top-level maps of at most {@link #MAX_ENTRY_BYTES} of values each, because replicators gossip whole top-level
 * entries and Artery drops messages above its frame size. Nothing on disk.
 */
public final class PekkoTarget implements CompareTarget
{
    /** Values one top-level map holds at most, in bytes: well below the frame size. */
    public static final int MAX_ENTRY_BYTES = 32 * 1024;

    /** Bytes a map entry costs beyond its value, for spreading the keys. */
    static final int ENTRY_OVERHEAD_BYTES = 32;

    /** Name every member's actor system has: a cluster's systems share it. */
    static final String SYSTEM_NAME = "datacake-compare";

    /** Longest wait for the actor systems to terminate on close. */
    static final long TERMINATE_TIMEOUT_MS = 30_000;

    /** How long an ask waits beyond the write's own timeout before it fails. */
    static final long ASK_MARGIN_MS = 5_000;

    /** When a put is acknowledged. */
    public enum WriteMode
    {
        /** By the member the client asked; the others learn it by delta propagation and gossip. */
        LOCAL,
        /** By every member. */
        ALL
    }

    private static final String LOOPBACK = "127.0.0.1";

    private final List<ActorSystem> systems = new ArrayList<>();
    private final List<ActorRef> replicators = new ArrayList<>();
    private final List<SelfUniqueAddress> addresses = new ArrayList<>();
    private final Key<LWWMap<Long, byte[]>>[] keys;
    private final WriteMode writeMode;
    private final Replicator.WriteConsistency writeConsistency;
    private final Duration askTimeout;

    /**
     * Start the members; they join the first one (see {@link #ready()}).
     *
     * @param members    number of members, 1 or more.
     * @param writeMode  when a put is acknowledged.
     * @param keyCount   keys the workload uses, 0..keyCount-1, to spread over the top-level maps.
     * @param valueBytes size of every value.
     * @param timeoutMs  how long a write waits for every member with {@link WriteMode#ALL}.
     * @throws IllegalArgumentException if members, keyCount or timeoutMs is below 1 or valueBytes below 0.
     * @throws RuntimeException         what Pekko throws when a member cannot start; the members started so far
     *                                  are terminated first.
     */
    @SuppressWarnings("unchecked")
    public PekkoTarget(
        final int members, final WriteMode writeMode, final long keyCount, final int valueBytes, final long timeoutMs)
    {
        if (members < 1 || keyCount < 1 || valueBytes < 0 || timeoutMs < 1)
        {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "a Pekko target needs at least 1 member, " +
                "1 key, 0 value bytes and a 1 ms timeout, not %d members, %d keys, %d bytes, %d ms",
                members, keyCount, valueBytes, timeoutMs));
        }
        this.writeMode = writeMode;
        writeConsistency = WriteMode.ALL == writeMode ?
            new Replicator.WriteAll(Duration.ofMillis(timeoutMs)) : Replicator.writeLocal();
        askTimeout = Duration.ofMillis(timeoutMs + ASK_MARGIN_MS);
        final long keysPerEntry = Math.max(1, MAX_ENTRY_BYTES / (valueBytes + ENTRY_OVERHEAD_BYTES));
        final int entries = (int)Math.min(Integer.MAX_VALUE, (keyCount + keysPerEntry - 1) / keysPerEntry);
        keys = new Key[entries];
        for (int i = 0; i < entries; i++)
        {
            keys[i] = LWWMapKey.create("perf-" + i);
        }

        final int[] ports = FreeTcpPorts.allocate(members);
        // A frame holds at least one whole top-level map even with the largest values.
        final long frameBytes = Math.max(1024 * 1024, 2L * (keysPerEntry * (valueBytes + ENTRY_OVERHEAD_BYTES)));
        try
        {
            for (int i = 0; i < members; i++)
            {
                final ActorSystem system = ActorSystem.create(SYSTEM_NAME, config(ports[0], ports[i], frameBytes));
                systems.add(system);
                final DistributedData data = DistributedData.get(system);
                replicators.add(data.replicator());
                addresses.add(data.selfUniqueAddress());
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * @return the number of top-level maps the keys are spread over.
     */
    public int entryCount()
    {
        return keys.length;
    }

    /**
     * {@inheritDoc}
     */
    public String name()
    {
        return WriteMode.ALL == writeMode ? "pekko-ddata-write-all" : "pekko-ddata-write-local";
    }

    /**
     * {@inheritDoc}
     */
    public int members()
    {
        return systems.size();
    }

    /**
     * {@inheritDoc}
     */
    public boolean ready()
    {
        for (final ActorSystem system : systems)
        {
            int up = 0;
            for (final Member member : Cluster.get(system).state().getMembers())
            {
                if (MemberStatus.up().equals(member.status()))
                {
                    up++;
                }
            }
            if (up != systems.size())
            {
                return false;
            }
        }
        return true;
    }

    /**
     * {@inheritDoc}
     */
    public CompletionStage<?> put(final int member, final long key, final byte[] value)
    {
        final SelfUniqueAddress node = addresses.get(member);
        final Long boxedKey = key;
        final Replicator.Update<LWWMap<Long, byte[]>> update = new Replicator.Update<>(
            keys[entryOf(key)], LWWMap.create(), writeConsistency, Optional.empty(),
            (map) -> map.put(node, boxedKey, value));
        return Patterns.ask(replicators.get(member), update, askTimeout).thenApply((reply) ->
        {
            if (!(reply instanceof Replicator.UpdateSuccess))
            {
                throw new CompletionException(new TimeoutException(
                    "Pekko replicator did not acknowledge the write: " + reply.getClass().getSimpleName()));
            }
            return reply;
        });
    }

    /**
     * A snapshot of every top-level map as the member's replicator holds it (read-local gets, one per map).
     * {@inheritDoc}
     *
     * @throws IllegalStateException if a get fails or times out.
     */
    public ReplicaView view(final int member)
    {
        final Map<Long, byte[]> snapshot = new HashMap<>();
        final List<CompletionStage<Object>> gets = new ArrayList<>(keys.length);
        for (final Key<LWWMap<Long, byte[]>> key : keys)
        {
            gets.add(Patterns.ask(replicators.get(member), new Replicator.Get<>(key, Replicator.readLocal()),
                askTimeout));
        }
        for (final CompletionStage<Object> get : gets)
        {
            final Object reply = join(get);
            if (reply instanceof Replicator.GetSuccess<?> success)
            {
                @SuppressWarnings("unchecked")
                final LWWMap<Long, byte[]> map = (LWWMap<Long, byte[]>)success.dataValue();
                snapshot.putAll(map.getEntries());
            }
            else if (!(reply instanceof Replicator.NotFound))
            {
                throw new IllegalStateException("Pekko replicator did not answer a read: " + reply);
            }
        }
        return snapshot::get;
    }

    /**
     * Terminate every actor system and wait for it, bounded by {@link #TERMINATE_TIMEOUT_MS}. Idempotent.
     */
    public void close()
    {
        systems.forEach(ActorSystem::terminate);
        for (final ActorSystem system : systems)
        {
            try
            {
                system.getWhenTerminated().toCompletableFuture().get(TERMINATE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
            catch (final ExecutionException | TimeoutException ex)
            {
                System.getLogger(PekkoTarget.class.getName()).log(System.Logger.Level.WARNING,
                    "a Pekko actor system did not terminate in time", ex);
            }
        }
        systems.clear();
        replicators.clear();
        addresses.clear();
    }

    private int entryOf(final long key)
    {
        return (int)Math.floorMod(key, (long)keys.length);
    }

    private Object join(final CompletionStage<Object> stage)
    {
        try
        {
            return stage.toCompletableFuture().get(askTimeout.toMillis() + ASK_MARGIN_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading a Pekko replica", ex);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new IllegalStateException("cannot read a Pekko replica", ex);
        }
    }

    private static Config config(final int seedPort, final int port, final long frameBytes)
    {
        final String text = String.join("\n",
            "pekko.loglevel = ERROR",
            "pekko.stdout-loglevel = OFF",
            "pekko.log-dead-letters = off",
            "pekko.log-dead-letters-during-shutdown = off",
            "pekko.actor.provider = cluster",
            "pekko.remote.artery.transport = tcp",
            "pekko.remote.artery.canonical.hostname = \"" + LOOPBACK + "\"",
            "pekko.remote.artery.canonical.port = " + port,
            "pekko.remote.artery.advanced.maximum-frame-size = " + frameBytes,
            "pekko.remote.artery.advanced.maximum-large-frame-size = " + frameBytes,
            "pekko.cluster.seed-nodes = [\"pekko://" + SYSTEM_NAME + "@" + LOOPBACK + ":" + seedPort + "\"]",
            "pekko.cluster.log-info = off",
            "pekko.cluster.jmx.enabled = off",
            "pekko.coordinated-shutdown.exit-jvm = off",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off");
        return ConfigFactory.parseString(text).withFallback(ConfigFactory.load(PekkoTarget.class.getClassLoader()));
    }
}
