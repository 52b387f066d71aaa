package io.datacake.transport.aeron;

import io.datacake.membership.MembershipComponent;
import io.datacake.membership.MembershipContext;
import io.datacake.membership.MembershipListener;
import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A membership node in its own JVM for {@link MembershipProcessTest}: embedded media driver under the given base
 * directory, UDP endpoint on loopback at the given port, gossip every {@value #GOSSIP_INTERVAL_MS} ms. It prints one
 * line per membership event on standard output ({@code JOINED id generation restarted}, {@code DEAD id generation},
 * {@code REVIVED id generation}, {@code LEFT id}), after {@code READY id generation} once it runs. The line
 * {@value #CLOSE} on standard input closes the node cleanly (it announces its leave) and the process prints
 * {@value #CLOSED} and exits; the end of standard input (the parent went away) ends the process at once, as a kill
 * would; otherwise it runs until killed.
 * <p>
 * Arguments: {@code nodeId port streamId baseDirectory [seedEndpoint]}; without a seed the node bootstraps the
 * cluster.
 */
public final class MembershipProcessMain
{
    /** Gossip interval of the process's node. */
    public static final long GOSSIP_INTERVAL_MS = 100;

    /** Standard-input command that closes the node cleanly. */
    public static final String CLOSE = "CLOSE";

    /** Line printed once the node closed cleanly, just before the process exits. */
    public static final String CLOSED = "CLOSED";

    /** Bound on event lines waiting to be printed; the listener drops the process with an error beyond it. */
    private static final int EVENT_QUEUE_CAPACITY = 4096;

    private MembershipProcessMain()
    {
    }

    /**
     * Run the node until the process is killed or told to close.
     *
     * @param args {@code nodeId port streamId baseDirectory [seedEndpoint]}.
     * @throws InterruptedException if the main thread is interrupted while it waits for events.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final int nodeId = Integer.parseInt(args[0]);
        final AeronEndpoint endpoint =
            AeronEndpoint.udp("127.0.0.1", Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        final AeronDriverSettings driverSettings = AeronTransportFactory.testDriverSettings(Path.of(args[3]));
        final AeronTransport transport =
            AeronTransport.launch(driverSettings, endpoint, AeronTransportFactory.transportSettings());

        // The listener runs on the node thread, which must not block on standard output: the main thread prints.
        final ManyToOneConcurrentArrayQueue<String> lines = new ManyToOneConcurrentArrayQueue<>(EVENT_QUEUE_CAPACITY);
        final MembershipContext ctx = new MembershipContext()
            .gossipIntervalMs(GOSSIP_INTERVAL_MS)
            .listener(new LinePrinter(lines));
        if (args.length > 4)
        {
            ctx.seeds(args[4]);
        }
        else
        {
            ctx.bootstrap(true);
        }
        final MembershipComponent component = new MembershipComponent(ctx);
        final Node node = Node.launch(new NodeContext()
            .nodeId(nodeId)
            .transport(transport)
            .ownsTransport(true)
            .idleStrategy(new SleepingMillisIdleStrategy(1))
            .addComponent(component));
        final long generation = component.members().stream()
            .filter((member) -> member.nodeId() == nodeId).findFirst().orElseThrow().generation();
        print("READY " + nodeId + " " + generation);

        final Thread commands = new Thread(() -> awaitClose(node), "membership-process-commands");
        commands.setDaemon(true);
        commands.start();

        final SleepingMillisIdleStrategy idle = new SleepingMillisIdleStrategy(5);
        while (commands.isAlive())
        {
            idle.idle(lines.drain(MembershipProcessMain::print));
        }
        lines.drain(MembershipProcessMain::print);
        if (node.isClosed())
        {
            print(CLOSED);
        }
        // Without CLOSE the parent is gone (standard input ended): leave as if killed, nothing to close cleanly.
        Runtime.getRuntime().halt(0);
    }

    private static void awaitClose(final Node node)
    {
        try
        {
            final BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            String line;
            while (null != (line = in.readLine()))
            {
                if (CLOSE.equals(line))
                {
                    node.close();
                    return;
                }
            }
        }
        catch (final IOException ex)
        {
            // The parent went away: no more commands.
        }
    }

    private static void print(final String line)
    {
        System.out.println(line);
        System.out.flush();
    }

    /** Queues one line per membership event. */
    private static final class LinePrinter implements MembershipListener
    {
        private final ManyToOneConcurrentArrayQueue<String> lines;

        LinePrinter(final ManyToOneConcurrentArrayQueue<String> lines)
        {
            this.lines = lines;
        }

        public void onMemberJoined(final int nodeId, final long generation, final boolean restarted)
        {
            offer("JOINED " + nodeId + " " + generation + " " + restarted);
        }

        public void onMemberDead(final int nodeId, final long generation)
        {
            offer("DEAD " + nodeId + " " + generation);
        }

        public void onMemberRevived(final int nodeId, final long generation)
        {
            offer("REVIVED " + nodeId + " " + generation);
        }

        public void onMemberLeft(final int nodeId)
        {
            offer("LEFT " + nodeId);
        }

        private void offer(final String line)
        {
            if (!lines.offer(line))
            {
                throw new IllegalStateException("more than " + EVENT_QUEUE_CAPACITY + " event lines unprinted");
            }
        }
    }
}
