package io.datacake.transport.aeron;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.nio.file.Path;

/**
 * A datacake node in its own JVM for {@link PeerProcessKillTest}: embedded media driver under the given base
 * directory, UDP endpoint on loopback at the given port, the echo service of {@link AeronRpcTest}. Prints
 * {@value #READY} once serving, then runs until killed.
 * <p>
 * Arguments: {@code nodeId port streamId baseDirectory}.
 */
public final class PeerProcessMain
{
    /** Line printed on standard output once the node serves. */
    public static final String READY = "READY";

    private PeerProcessMain()
    {
    }

    /**
     * Run the node until the process is killed.
     *
     * @param args {@code nodeId port streamId baseDirectory}.
     * @throws InterruptedException never in practice: the process is killed while sleeping.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final int nodeId = Integer.parseInt(args[0]);
        final AeronEndpoint endpoint =
            AeronEndpoint.udp("127.0.0.1", Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        final AeronDriverSettings driverSettings = AeronTransportFactory.testDriverSettings(Path.of(args[3]));
        final AeronTransport transport =
            AeronTransport.launch(driverSettings, endpoint, AeronTransportFactory.transportSettings());
        Node.launch(new NodeContext()
            .nodeId(nodeId)
            .transport(transport)
            .ownsTransport(true)
            .idleStrategy(new SleepingMillisIdleStrategy(1))
            .addService(AeronRpcTest.echoService()));
        System.out.println(READY);
        System.out.flush();
        while (true)
        {
            Thread.sleep(60_000);
        }
    }
}
