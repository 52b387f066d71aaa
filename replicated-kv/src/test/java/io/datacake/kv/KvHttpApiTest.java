package io.datacake.kv;

import io.datacake.storage.Storage;
import io.datacake.transport.aeron.FreeUdpPorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP API of one in-JVM node on memory storage: every status code, the JSON documents, the metrics format, and
 * that no bad request changes stored data.
 */
final class KvHttpApiTest
{
    private static final int NODE_ID = 7;
    private static final String DC = "dc-test";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int HTTP_COUNTERS = 10;

    private static ReplicatedKvNode node;
    private static HttpClient client;
    private static String base;

    @BeforeAll
    static void startNode()
    {
        node = ReplicatedKvNode.start(new KvNodeConfig()
            .nodeId(NODE_ID)
            .storage(StorageKind.MEMORY)
            .dataCentre(DC)
            .clusterListen(new HostPort("127.0.0.1", FreeUdpPorts.loopback()))
            .httpListen(new HostPort("127.0.0.1", 0))
            .gossipIntervalMs(100));
        client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        base = "http://127.0.0.1:" + node.httpAddress().getPort();
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
    void putThenGetReturnsTheValueAsOctets() throws Exception
    {
        assertThat(send("PUT", "/docs/1?consistency=all", "hello").statusCode()).isEqualTo(200);

        final HttpResponse<byte[]> read = send("GET", "/docs/1", null);

        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(new String(read.body(), StandardCharsets.UTF_8)).isEqualTo("hello");
    }

    @Test
    void postStoresLikePutAndOverwrites() throws Exception
    {
        assertThat(send("POST", "/posted/5?consistency=none", "first").statusCode()).isEqualTo(200);
        assertThat(send("POST", "/posted/5?consistency=quorum", "second").statusCode()).isEqualTo(200);

        assertThat(text(send("GET", "/posted/5", null))).isEqualTo("second");
    }

    @Test
    void binaryAndEmptyValuesComeBackByteForByte() throws Exception
    {
        final byte[] value = new byte[256];
        for (int i = 0; i < value.length; i++)
        {
            value[i] = (byte)i;
        }
        assertThat(sendBytes("PUT", "/bin/1?consistency=all", value).statusCode()).isEqualTo(200);
        assertThat(sendBytes("PUT", "/bin/2?consistency=all", new byte[0]).statusCode()).isEqualTo(200);

        assertThat(send("GET", "/bin/1", null).body()).isEqualTo(value);
        final HttpResponse<byte[]> empty = send("GET", "/bin/2", null);
        assertThat(empty.statusCode()).isEqualTo(200);
        assertThat(empty.body()).isEmpty();
    }

    @Test
    void getOfAMissingKeyOrKeyspaceIs404() throws Exception
    {
        assertThat(send("PUT", "/present/1?consistency=all", "x").statusCode()).isEqualTo(200);

        final HttpResponse<byte[]> missingKey = send("GET", "/present/2", null);
        final HttpResponse<byte[]> missingKeyspace = send("GET", "/never-written/1", null);

        assertThat(missingKey.statusCode()).isEqualTo(404);
        assertThat(text(missingKey)).contains("no value for key 2 in keyspace 'present'");
        assertThat(missingKeyspace.statusCode()).isEqualTo(404);
    }

    @Test
    void deleteIs200AndTheKeyIsGone() throws Exception
    {
        assertThat(send("PUT", "/deleted/9?consistency=all", "doomed").statusCode()).isEqualTo(200);

        assertThat(send("DELETE", "/deleted/9?consistency=quorum", null).statusCode()).isEqualTo(200);

        assertThat(send("GET", "/deleted/9", null).statusCode()).isEqualTo(404);
        assertThat(node.store().get("deleted", 9)).isNull();
    }

    @Test
    void keysAreUnsigned64BitDecimals() throws Exception
    {
        assertThat(send("PUT", "/keys/18446744073709551615?consistency=all", "max").statusCode()).isEqualTo(200);
        assertThat(send("PUT", "/keys/0?consistency=all", "zero").statusCode()).isEqualTo(200);
        assertThat(text(send("GET", "/keys/18446744073709551615", null))).isEqualTo("max");
        assertThat(node.store().get("keys", -1L).value()).isEqualTo("max".getBytes(StandardCharsets.UTF_8));

        for (final String bad : List.of("18446744073709551616", "-1", "abc", "1.5", "+1", "0x10", "1e3",
            "99999999999999999999999"))
        {
            final HttpResponse<byte[]> put = send("PUT", "/keys/" + bad, "bad");
            final HttpResponse<byte[]> get = send("GET", "/keys/" + bad, null);
            assertThat(put.statusCode()).as("PUT key %s", bad).isEqualTo(400);
            assertThat(text(put)).as("PUT key %s", bad).contains("unsigned 64-bit decimal");
            assertThat(get.statusCode()).as("GET key %s", bad).isEqualTo(400);
        }
        assertThat(send("PUT", "/keys/", "no key").statusCode()).isEqualTo(400);
        assertThat(node.store().getMany("keys", 1L, 10L, 1000L)).isEmpty();
    }

    @Test
    void anEmptyTooLongOrUndecodableKeyspaceIsRefusedAndStoresNothing() throws Exception
    {
        final List<String> before = node.store().keyspaces();
        final String tooLong = "k".repeat(Storage.MAX_KEYSPACE_NAME_BYTES + 1);

        final HttpResponse<byte[]> empty = send("PUT", "//1", "x");
        final HttpResponse<byte[]> longName = send("PUT", "/" + tooLong + "/1", "x");
        final HttpResponse<byte[]> badUtf8 = send("PUT", "/%C3%28/1", "x");

        // The JDK server parses "//1" as an authority and answers 404 before the API sees it.
        assertThat(empty.statusCode()).isEqualTo(404);
        assertThat(longName.statusCode()).isEqualTo(400);
        assertThat(text(longName)).contains("longer than " + Storage.MAX_KEYSPACE_NAME_BYTES);
        assertThat(badUtf8.statusCode()).isEqualTo(400);
        assertThat(text(badUtf8)).contains("not UTF-8");
        assertThat(node.store().keyspaces()).containsExactlyInAnyOrderElementsOf(before);
    }

    @Test
    void aPercentEncodedKeyspaceIsDecodedAsUtf8() throws Exception
    {
        assertThat(send("PUT", "/caf%C3%A9%2Fbar/3?consistency=all", "x").statusCode()).isEqualTo(200);

        assertThat(node.store().get("café/bar", 3)).isNotNull();
        assertThat(text(send("GET", "/caf%C3%A9%2Fbar/3", null))).isEqualTo("x");
    }

    @Test
    void anUnknownConsistencyOrQueryParameterIs400AndStoresNothing() throws Exception
    {
        final HttpResponse<byte[]> unknownLevel = send("PUT", "/levels/1?consistency=most", "x");
        final HttpResponse<byte[]> upperCase = send("PUT", "/levels/1?consistency=ALL", "x");
        final HttpResponse<byte[]> otherParameter = send("PUT", "/levels/1?durable=yes", "x");
        final HttpResponse<byte[]> twice = send("DELETE", "/levels/1?consistency=one&consistency=all", null);

        assertThat(unknownLevel.statusCode()).isEqualTo(400);
        assertThat(text(unknownLevel)).contains("unknown consistency 'most'").contains("local_quorum");
        assertThat(upperCase.statusCode()).isEqualTo(400);
        assertThat(otherParameter.statusCode()).isEqualTo(400);
        assertThat(text(otherParameter)).contains("unknown query parameter 'durable'");
        assertThat(twice.statusCode()).isEqualTo(400);
        assertThat(node.store().keyspaces()).doesNotContain("levels");
    }

    @Test
    void everyConsistencyLevelIsAcceptedByName() throws Exception
    {
        for (final String level : List.of("none", "quorum", "local_quorum", "each_quorum", "all"))
        {
            assertThat(send("PUT", "/named/1?consistency=" + level, level).statusCode()).as(level).isEqualTo(200);
            assertThat(text(send("GET", "/named/1", null))).isEqualTo(level);
        }
    }

    @Test
    void aLevelTheClusterCannotMeetIs503WithRequiredAndAcknowledged() throws Exception
    {
        // ONE (the default) needs one other live member: this node is alone.
        final HttpResponse<byte[]> byDefault = send("PUT", "/unmet/1", "x");
        final HttpResponse<byte[]> two = send("PUT", "/unmet/1?consistency=two", "x");
        final HttpResponse<byte[]> three = send("DELETE", "/unmet/1?consistency=three", null);

        assertThat(byDefault.statusCode()).isEqualTo(503);
        assertThat(byDefault.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(text(byDefault)).matches("\\{\"error\":\"ONE needs 1 other live member[^\"]*\",\"required\":1," +
            "\"acknowledged\":0}");
        assertThat(two.statusCode()).isEqualTo(503);
        assertThat(text(two)).endsWith(",\"required\":2,\"acknowledged\":0}");
        assertThat(three.statusCode()).isEqualTo(503);
        assertThat(text(three)).endsWith(",\"required\":3,\"acknowledged\":0}");
        assertThat(send("GET", "/unmet/1", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aWrongMethodIs405WithAllow() throws Exception
    {
        final HttpResponse<byte[]> patch = send("PATCH", "/docs/1", "x");
        final HttpResponse<byte[]> postCluster = send("POST", "/cluster", "x");
        final HttpResponse<byte[]> deleteMetrics = send("DELETE", "/metrics", null);

        assertThat(patch.statusCode()).isEqualTo(405);
        assertThat(patch.headers().firstValue("Allow")).hasValue("GET, PUT, POST, DELETE");
        assertThat(text(patch)).contains("PATCH is not allowed");
        assertThat(postCluster.statusCode()).isEqualTo(405);
        assertThat(postCluster.headers().firstValue("Allow")).hasValue("GET");
        assertThat(deleteMetrics.statusCode()).isEqualTo(405);
    }

    @Test
    void anUnknownPathIs404() throws Exception
    {
        for (final String path : List.of("/", "/docs", "/a/b/c", "/cluster/1/2"))
        {
            final HttpResponse<byte[]> response = send("GET", path, null);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(text(response)).as(path).contains("/{keyspace}/{key}");
        }
    }

    @Test
    void aValueOverTheLimitIs413AndStoresNothing() throws Exception
    {
        final int limit = node.maxValueBytes();
        final byte[] atLimit = new byte[limit];
        final byte[] overLimit = new byte[limit + 1];
        Arrays.fill(atLimit, (byte)'a');

        final HttpResponse<byte[]> declared = sendBytes("PUT", "/large/1", overLimit);
        final HttpResponse<byte[]> chunked = send(HttpRequest.newBuilder(URI.create(base + "/large/2"))
            .timeout(TIMEOUT)
            .PUT(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(overLimit))));
        final HttpResponse<byte[]> fits = sendBytes("PUT", "/large/3?consistency=all", atLimit);

        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(text(declared)).contains("limit is " + limit + " bytes");
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(fits.statusCode()).isEqualTo(200);
        assertThat(node.store().get("large", 1)).isNull();
        assertThat(node.store().get("large", 2)).isNull();
        assertThat(node.store().get("large", 3).value()).isEqualTo(atLimit);
    }

    @Test
    void clusterIsThisNodeAndItsMembersAsJson() throws Exception
    {
        final HttpResponse<byte[]> response = send("GET", "/cluster", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        final String self = "{\"id\":7,\"dc\":\"dc-test\",\"address\":\"" + node.clusterAddress() +
            "\",\"status\":\"live\"}";
        assertThat(text(response)).isEqualTo("{\"node\":" + self + ",\"members\":[" + self + "]}");
    }

    @Test
    void metricsAreEveryCounterInPrometheusTextFormat() throws Exception
    {
        assertThat(send("PUT", "/metered/1?consistency=all", "x").statusCode()).isEqualTo(200);
        final long badBefore = counter("datacake_http_responses_400_bad_request");
        assertThat(send("PUT", "/metered/x", "x").statusCode()).isEqualTo(400);

        final HttpResponse<byte[]> response = send("GET", "/metrics", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        final Pattern sample =
            Pattern.compile("datacake_[a-z0-9_]*[a-z0-9]\\{node_id=\"7\"(,counter_id=\"\\d+\")?} \\d+");
        final Pattern type = Pattern.compile("# TYPE (datacake_[a-z0-9_]+) counter");
        final Pattern help = Pattern.compile("# HELP datacake_[a-z0-9_]+ .+");
        int samples = 0;
        String family = null;
        for (final String line : text(response).split("\n"))
        {
            if (line.startsWith("# TYPE"))
            {
                assertThat(line).matches(type);
                family = line.split(" ")[2];
            }
            else if (line.startsWith("# HELP"))
            {
                assertThat(line).matches(help);
            }
            else
            {
                assertThat(line).matches(sample);
                assertThat(line).startsWith(family + "{");
                samples++;
            }
        }
        final int[] counters = new int[1];
        node.node().counters().reader().forEach((id, label) -> counters[0]++);
        assertThat(samples).isEqualTo(counters[0] + HTTP_COUNTERS);
        assertThat(text(response))
            .containsPattern("(?m)^datacake_store_writes_coordinated\\{node_id=\"7\"} [1-9]\\d*$");
        assertThat(text(response)).containsPattern("(?m)^datacake_commands_executed\\{node_id=\"7\"} \\d+$");
        assertThat(text(response)).contains("\ndatacake_http_responses_400_bad_request{node_id=\"7\"} " +
            (badBefore + 1) + "\n");
    }

    private static long counter(final String name) throws IOException, InterruptedException
    {
        final Matcher matcher = Pattern.compile("(?m)^" + name + "\\{node_id=\"7\"} (\\d+)$")
            .matcher(text(send("GET", "/metrics", null)));
        assertThat(matcher.find()).as("metric %s", name).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    private static HttpResponse<byte[]> send(final String method, final String path, final String body)
        throws IOException, InterruptedException
    {
        return sendBytes(method, path, null == body ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<byte[]> sendBytes(final String method, final String path, final byte[] body)
        throws IOException, InterruptedException
    {
        return send(HttpRequest.newBuilder(URI.create(base + path))
            .timeout(TIMEOUT)
            .method(method, null == body ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body)));
    }

    private static HttpResponse<byte[]> send(final HttpRequest.Builder request)
        throws IOException, InterruptedException
    {
        return client.send(request.build(), BodyHandlers.ofByteArray());
    }

    private static String text(final HttpResponse<byte[]> response)
    {
        return new String(response.body(), StandardCharsets.UTF_8).trim();
    }
}
