package io.datacake.transport.aeron;

import io.datacake.node.Node;
import io.datacake.node.NodeContext;
import io.datacake.rpc.RpcError;
import io.datacake.transport.Transport;
import io.datacake.transport.aeron.AeronTransportFactory.Media;
import org.agrona.IoUtil;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A peer in another process, with its own media driver, killed with SIGKILL: no close, no end-of-stream, its driver
 * directory left behind. Calls to it fail as unreachable or time out, this node keeps serving others, and the peer
 * is reached again when a new process comes back at the same endpoint.
 */
class PeerProcessKillTest
{
    private final List<Node> nodes = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private AeronTransportFactory factory;
    private Path peerBaseDirectory;

    @AfterEach
    void tearDown()
    {
        processes.forEach(Process::destroyForcibly);
        for (final Process process : processes)
        {
            try
            {
                process.waitFor(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        nodes.forEach(Node::close);
        if (null != factory)
        {
            factory.close();
        }
        if (null != peerBaseDirectory)
        {
            // A killed driver cannot delete its own directory.
            IoUtil.delete(peerBaseDirectory.toFile(), true);
        }
    }

    @Test
    void aKilledPeerProcessFailsCallsAndIsReachedAgainWhenItRestarts() throws Exception
    {
        factory = new AeronTransportFactory(Media.UDP);
        peerBaseDirectory = Files.createTempDirectory(
            AeronDriverSettings.defaultEmbeddedBaseDirectory(), "datacake-aeron-peer-");
        final Transport[] local = factory.create(2);
        final Node a = start(1, local[0]);
        final Node c = start(3, local[1]);
        final int port = FreeUdpPorts.loopback();
        final AeronEndpoint peer = AeronEndpoint.udp("127.0.0.1", port, 4242);

        launchPeer(2, peer);
        assertThat(AeronRpcTest.callUntilReached(a, peer.toString(), new byte[]{ 1 }).body()).containsExactly(1);

        processes.get(0).destroyForcibly().waitFor(10, TimeUnit.SECONDS);

        assertThat(AeronRpcTest.errorOf(a.call(peer.toString(), AeronRpcTest.ECHO, AeronRpcTest.ECHO_MESSAGE,
            new byte[]{ 2 }, null, 1_000))).isIn(RpcError.PEER_UNREACHABLE, RpcError.TIMEOUT);
        assertThat(AeronRpcTest.call(a, c, new byte[]{ 3 }, 0).body()).containsExactly(3);

        launchPeer(2, peer);
        assertThat(AeronRpcTest.callUntilReached(a, peer.toString(), new byte[]{ 4 }).body()).containsExactly(4);
    }

    private Node start(final int nodeId, final Transport transport)
    {
        final Node node = Node.launch(new NodeContext()
            .nodeId(nodeId)
            .transport(transport)
            .ownsTransport(true)
            .idleStrategy(new SleepingMillisIdleStrategy(1))
            .addService(AeronRpcTest.echoService()));
        nodes.add(node);
        return node;
    }

    private void launchPeer(final int nodeId, final AeronEndpoint endpoint) throws IOException, InterruptedException
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>();
        command.add(java);
        command.add("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(PeerProcessMain.class.getName());
        command.add(Integer.toString(nodeId));
        command.add(endpoint.channel().substring(endpoint.channel().lastIndexOf(':') + 1));
        command.add(Integer.toString(endpoint.streamId()));
        command.add(peerBaseDirectory.toString());
        final Process process = new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        processes.add(process);

        final BufferedReader reader =
            new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        String line;
        while (null != (line = reader.readLine()))
        {
            if (PeerProcessMain.READY.equals(line))
            {
                return;
            }
        }
        throw new AssertionError("peer process exited before it was ready, exit code " + process.waitFor());
    }
}
