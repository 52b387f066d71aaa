package io.datacake.kv;

import io.datacake.transport.aeron.FreeUdpPorts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.BooleanSupplier;

/**
 * Keyring and token files, node settings, counters and HTTP calls shared by the security tests.
 */
final class SecureNodes
{
    /** Generous bound on any wait for the cluster to converge. */
    static final long DEADLINE_MS = 60_000;

    static final String TOKEN = "test-token-0123456789abcdef";

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

    private SecureNodes()
    {
    }

    /**
     * A 32-byte secret filled with one value, in Base64, so that tests can tell keys apart and look for them.
     */
    static String secret(final int fill)
    {
        final byte[] secret = new byte[32];
        Arrays.fill(secret, (byte)fill);
        return Base64.getEncoder().encodeToString(secret);
    }

    /**
     * Write a keyring file: primary key id, then (id, fill) pairs.
     */
    static Path writeKeyring(final Path file, final int primary, final int... idAndFill)
    {
        final StringBuilder text = new StringBuilder("# test keyring\nprimary = ").append(primary).append('\n');
        for (int i = 0; i < idAndFill.length; i += 2)
        {
            text.append("key.").append(idAndFill[i]).append(" = ").append(secret(idAndFill[i + 1])).append('\n');
        }
        return write(file, text.toString());
    }

    static Path write(final Path file, final String text)
    {
        try
        {
            return Files.writeString(file, text);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * A memory-storage node on loopback with fast gossip and repair.
     */
    static KvNodeConfig config(final int nodeId)
    {
        return new KvNodeConfig()
            .nodeId(nodeId)
            .storage(StorageKind.MEMORY)
            .clusterListen(new HostPort("127.0.0.1", FreeUdpPorts.loopback()))
            .httpListen(new HostPort("127.0.0.1", 0))
            .gossipIntervalMs(100)
            .repairIntervalMs(200);
    }

    /**
     * Sum of the node's counters whose label ends with the text.
     */
    static long counter(final ReplicatedKvNode node, final String labelSuffix)
    {
        final long[] sum = new long[1];
        final var reader = node.node().counters().reader();
        reader.forEach((counterId, label) ->
        {
            if (label.endsWith(labelSuffix))
            {
                sum[0] += reader.getCounterValue(counterId);
            }
        });
        return sum[0];
    }

    static void await(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_MS * 1_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError(what + ": not reached within " + DEADLINE_MS + " ms");
            }
            Thread.sleep(20);
        }
    }

    static HttpResponse<String> send(final ReplicatedKvNode node, final String method, final String path,
        final String body, final String authorization)
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + node.httpAddress().getPort() + path))
            .timeout(Duration.ofSeconds(60))
            .method(method, null == body ?
                HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (null != authorization)
        {
            request.header("Authorization", authorization);
        }
        try
        {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
