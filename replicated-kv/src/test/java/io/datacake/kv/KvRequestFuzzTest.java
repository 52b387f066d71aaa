package io.datacake.kv;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.testing.FuzzInputs;
import io.datacake.transport.aeron.FreeUdpPorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Raw HTTP requests to a single node's API (so only consistency none succeeds, the others answer 503), mutated from real ones (keyspace, key, consistency, declared and actual body
 * lengths over the value limit, /cluster and /metrics): every request is answered without a 500 (an internal error
 * means a parser let something through it did not expect), and a refused request changes no stored data.
 */
final class KvRequestFuzzTest
{
    /** Inputs per default slice: each is a connection to the node, so fewer than a decoder's. */
    private static final int DEFAULT_RUNS = 2_000;
    private static final int SOCKET_TIMEOUT_MS = 60_000;
    private static final String CANARY_KEYSPACE = "canary";
    private static final byte[] CANARY = {1, 2, 3};

    private static ReplicatedKvNode node;
    private static List<byte[]> seeds;

    @BeforeAll
    static void startNode()
    {
        node = ReplicatedKvNode.start(new KvNodeConfig()
            .nodeId(3)
            .storage(StorageKind.MEMORY)
            .dataCentre("dc1")
            .clusterListen(new HostPort("127.0.0.1", FreeUdpPorts.loopback()))
            .httpListen(new HostPort("127.0.0.1", 0))
            .gossipIntervalMs(100));
        node.store().put(CANARY_KEYSPACE, 1, CANARY, ConsistencyLevel.NONE).join();
        final String overLimit = "Content-Length: " + (node.maxValueBytes() + 1L) + "\r\n";
        seeds = List.of(
            request("PUT /docs/42?consistency=none", "Content-Length: 3\r\n", "abc"),
            request("PUT /docs/43?consistency=all", "Content-Length: 3\r\n", "abc"),
            request("POST /docs/18446744073709551615?consistency=local_quorum", "Content-Length: 1\r\n", "z"),
            request("PUT /k%C3%A9y/7", overLimit, "xyz"),
            request("PUT /docs/8", "Transfer-Encoding: chunked\r\n", "3\r\nabc\r\n0\r\n\r\n"),
            request("GET /docs/42", "", ""),
            request("DELETE /docs/42?consistency=quorum", "", ""),
            request("GET /cluster", "", ""),
            request("GET /metrics", "", ""));
    }

    @AfterAll
    static void closeNode()
    {
        if (null != node)
        {
            node.close();
        }
    }

    @Test
    void mutatedRequestsAreAnsweredWithoutAnInternalErrorAndRefusalsChangeNothing()
    {
        assertThat(FuzzInputs.runSlice("kv http requests", seeds, DEFAULT_RUNS, KvRequestFuzzTest::send))
            .isGreaterThan(seeds.size());
        assertThat(send(seeds.get(0))).isBetween(200, 299);
    }

    @FuzzTest(maxDuration = "60s")
    void httpRequest(final FuzzedDataProvider data)
    {
        send(FuzzInputs.mutate(seeds, FuzzInputs.from(data)));
    }

    /**
     * @return the status code, or -1 when the server closed the connection without one (for bytes that are not
     * HTTP at all).
     */
    private static int send(final byte[] request)
    {
        final List<String> keyspaces = new ArrayList<>(node.store().keyspaces());
        final int status;
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(node.httpAddress().getAddress(), node.httpAddress().getPort()),
                SOCKET_TIMEOUT_MS);
            socket.setSoTimeout(SOCKET_TIMEOUT_MS);
            final OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            socket.shutdownOutput();
            status = status(socket.getInputStream());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        assertThat(status).as("status").isNotEqualTo(500);
        if (status < 200 || status >= 300)
        {
            assertThat(node.store().keyspaces()).containsExactlyInAnyOrderElementsOf(keyspaces);
        }
        assertThat(node.store().get(CANARY_KEYSPACE, 1).value()).containsExactly(CANARY);
        return status;
    }

    private static int status(final InputStream in) throws IOException
    {
        final byte[] response;
        try
        {
            response = in.readAllBytes();
        }
        catch (final java.net.SocketException reset)
        {
            return -1; // the server refused the bytes and reset the connection
        }
        final String text = new String(response, StandardCharsets.ISO_8859_1);
        if (!text.startsWith("HTTP/1.1 ") || text.length() < 12)
        {
            return -1;
        }
        return Integer.parseInt(text.substring(9, 12));
    }

    private static byte[] request(final String requestLine, final String headers, final String body)
    {
        return (requestLine + " HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n" + headers + "\r\n" + body)
            .getBytes(StandardCharsets.UTF_8);
    }
}
