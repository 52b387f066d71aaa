package io.datacake.kv;

import io.datacake.membership.ConsistencyLevel;
import io.datacake.security.FrameProtection;
import io.datacake.transport.aeron.FreeUdpPorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.datacake.kv.SecureNodes.TOKEN;
import static io.datacake.kv.SecureNodes.bytes;
import static io.datacake.kv.SecureNodes.config;
import static io.datacake.kv.SecureNodes.secret;
import static io.datacake.kv.SecureNodes.send;
import static io.datacake.kv.SecureNodes.write;
import static io.datacake.kv.SecureNodes.writeKeyring;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One node's security settings: no cluster traffic beyond loopback without a keyring unless insecure, the HTTP
 * bearer token, keyring reload errors, and no key or token in logs, replies or error messages.
 */
final class SecureNodeTest
{
    private final List<String> logged = Collections.synchronizedList(new ArrayList<>());
    private final Handler logCapture = new Handler()
    {
        public void publish(final LogRecord record)
        {
            logged.add(record.getMessage() + (null == record.getThrown() ? "" : " " + record.getThrown()));
        }

        public void flush()
        {
        }

        public void close()
        {
        }
    };

    @TempDir
    Path dir;

    @BeforeEach
    void captureLogs()
    {
        Logger.getLogger("").addHandler(logCapture);
    }

    @AfterEach
    void stopCapturingLogs()
    {
        Logger.getLogger("").removeHandler(logCapture);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "192.0.2.1"})
    void aNonLoopbackClusterAddressWithoutAKeyringIsRefused(final String host)
    {
        final KvNodeConfig config = config(1).clusterListen(new HostPort(host, FreeUdpPorts.loopback()));

        assertThatThrownBy(() -> ReplicatedKvNode.start(config))
            .isInstanceOfSatisfying(KvConfigException.class,
                (ex) -> assertThat(ex.option()).isEqualTo(KvNodeConfig.CLUSTER_LISTEN))
            .hasMessageContaining("'--keyring-file'").hasMessageContaining("'--insecure'");
    }

    @Test
    void theProcessRefusesTheWildcardAddressWithoutAKeyringWithExitCodeTwoAndOneLine()
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        final int exit = NodeProcess.runMain(new String[]{"node-id=1", "storage=memory", "http-listen=127.0.0.1:0",
            "cluster-listen=0.0.0.0:" + FreeUdpPorts.loopback()}, new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(exit).isEqualTo(NodeProcess.EXIT_BAD_OPTION);
        assertThat(err.toString(StandardCharsets.UTF_8).trim())
            .startsWith("Refusing option '--cluster-listen' 0.0.0.0:").doesNotContain("\n");
    }

    @Test
    void theWildcardAddressStartsWithInsecure()
    {
        try (ReplicatedKvNode node = ReplicatedKvNode.start(
            config(1).clusterListen(new HostPort("0.0.0.0", FreeUdpPorts.loopback())).insecure(true)))
        {
            node.store().putAndWait("docs", 1, bytes("open"), ConsistencyLevel.ALL);
            assertThat(node.store().get("docs", 1).value()).isEqualTo(bytes("open"));
        }
    }

    @Test
    void theWildcardAddressStartsWithAKeyring()
    {
        final Path keyring = writeKeyring(dir.resolve("keyring"), 1, 1, 1);
        try (ReplicatedKvNode node = ReplicatedKvNode.start(config(1)
            .clusterListen(new HostPort("0.0.0.0", FreeUdpPorts.loopback()))
            .keyringFile(keyring)
            .frameProtection(FrameProtection.ENCRYPT)))
        {
            node.store().putAndWait("docs", 1, bytes("sealed"), ConsistencyLevel.ALL);
            assertThat(node.store().get("docs", 1).value()).isEqualTo(bytes("sealed"));
        }
    }

    @Test
    void everyRequestWithoutTheBearerTokenIs401AndCounted()
    {
        final Path token = write(dir.resolve("token"), TOKEN + "\n");
        try (ReplicatedKvNode node = ReplicatedKvNode.start(config(1).httpTokenFile(token)))
        {
            final String good = "Bearer " + TOKEN;
            final List<HttpResponse<String>> refused = List.of(
                send(node, "GET", "/cluster", null, null),
                send(node, "PUT", "/docs/1", "x", "Bearer " + TOKEN.substring(1) + "X"),
                send(node, "PUT", "/docs/1", "x", "Bearer " + TOKEN + "X"),
                send(node, "GET", "/docs/1", null, "Basic " + TOKEN),
                send(node, "POST", "/admin/keyring/reload", null, null));

            assertThat(refused).allSatisfy((response) ->
            {
                assertThat(response.statusCode()).isEqualTo(401);
                assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"datacake-kv\"");
                assertThat(response.body()).doesNotContain(TOKEN);
            });
            assertThat(node.store().get("docs", 1)).isNull();

            assertThat(send(node, "PUT", "/docs/1?consistency=all", "x", good).statusCode()).isEqualTo(200);
            assertThat(send(node, "GET", "/docs/1", null, "bearer " + TOKEN).body()).isEqualTo("x");
            assertThat(send(node, "GET", "/metrics", null, good).body())
                .containsPattern("datacake_http_responses_401_unauthorized\\{[^}]*} 5\\n");
        }
    }

    @Test
    void aTokenTooShortIsABadSettingThatDoesNotEchoIt()
    {
        final Path token = write(dir.resolve("token"), "short-secret\n");

        assertThatThrownBy(() -> ReplicatedKvNode.start(config(1).httpTokenFile(token)))
            .isInstanceOfSatisfying(KvConfigException.class,
                (ex) -> assertThat(ex.option()).isEqualTo(KvNodeConfig.HTTP_TOKEN_FILE))
            .hasMessageContaining("16..4096").hasMessageNotContaining("short-secret");
    }

    @Test
    void reloadOnANodeWithoutAKeyringIs409()
    {
        try (ReplicatedKvNode node = ReplicatedKvNode.start(config(1)))
        {
            final HttpResponse<String> reply = send(node, "POST", "/admin/keyring/reload", null, null);

            assertThat(reply.statusCode()).isEqualTo(409);
            assertThat(reply.body()).contains("--keyring-file");
            assertThat(send(node, "GET", "/admin/keyring/reload", null, null).statusCode()).isEqualTo(405);
        }
    }

    @Test
    void keysAndTokensNeverAppearInLogsRepliesOrErrors()
    {
        final Path keyring = writeKeyring(dir.resolve("keyring"), 1, 1, 7);
        final Path token = write(dir.resolve("token"), TOKEN);
        final String badSecret = "WlpaWlpaWlpaWg==";
        final List<String> seen = new ArrayList<>();
        try (ReplicatedKvNode node = ReplicatedKvNode.start(config(1).keyringFile(keyring).httpTokenFile(token)))
        {
            seen.add(node.toString());
            final String auth = "Bearer " + TOKEN;
            write(keyring, "primary = 1\nkey.1 = " + secret(7) + "\nkey.2 = " + badSecret + "\n");
            final HttpResponse<String> failed = send(node, "POST", "/admin/keyring/reload", null, auth);
            assertThat(failed.statusCode()).isEqualTo(500);
            seen.add(failed.body());

            writeKeyring(keyring, 2, 1, 7, 2, 8);
            final HttpResponse<String> reloaded = send(node, "POST", "/admin/keyring/reload", null, auth);
            assertThat(reloaded.statusCode()).isEqualTo(200);
            assertThat(reloaded.body()).isEqualTo("{\"primary\":2,\"keys\":[1,2]}");
            seen.add(node.reloadKeyring().toString());
        }

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(NodeProcess.runMain(new String[]{"node-id=1", "keyring-env=primary=1;key.1=" + secret(7)},
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)))
            .isEqualTo(NodeProcess.EXIT_BAD_OPTION);
        seen.add(out.toString(StandardCharsets.UTF_8));
        seen.add(err.toString(StandardCharsets.UTF_8));
        seen.addAll(logged);

        assertThat(String.join("\n", seen))
            .contains("keyring reload failed").contains("Keyring{primary=2, keys=[1, 2]}")
            .contains("expected the name of an environment variable")
            .doesNotContain(secret(7)).doesNotContain(secret(8)).doesNotContain(badSecret).doesNotContain(TOKEN);
    }
}
