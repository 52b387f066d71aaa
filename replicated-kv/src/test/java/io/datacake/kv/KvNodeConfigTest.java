package io.datacake.kv;

import io.datacake.membership.MembershipContext;
import io.datacake.security.FrameProtection;
import io.datacake.store.StoreContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Node settings from properties: defaults, every key, and one-line errors that name the option.
 */
final class KvNodeConfigTest
{
    @Test
    void onlyTheNodeIdIsRequired()
    {
        final KvNodeConfig config = KvNodeConfig.fromProperties(Map.of("node-id", "4"));

        assertThat(config.nodeId()).isEqualTo(4);
        assertThat(config.storage()).isEqualTo(StorageKind.LMDB);
        assertThat(config.dataDir()).isNull();
        assertThat(config.clusterListen()).hasToString("127.0.0.1:7401");
        assertThat(config.clusterAddress()).isEqualTo(config.clusterListen());
        assertThat(config.httpListen()).hasToString("127.0.0.1:8080");
        assertThat(config.seeds()).isEmpty();
        assertThat(config.dataCentre()).isEqualTo(MembershipContext.DEFAULT_DATA_CENTRE);
        assertThat(config.requestTimeoutMs()).isEqualTo(StoreContext.DEFAULT_REQUEST_TIMEOUT_MS);
        assertThat(config.repairIntervalMs()).isEqualTo(StoreContext.DEFAULT_REPAIR_INTERVAL_MS);
    }

    @Test
    void everyKeyIsRead()
    {
        final Map<String, String> properties = new LinkedHashMap<>();
        properties.put("node-id", "65535");
        properties.put("data-dir", "/var/lib/kv");
        properties.put("storage", "SQLite");
        properties.put("cluster-listen", "0.0.0.0:9000");
        properties.put("cluster-public", "node-a.example:9000");
        properties.put("http-listen", "[::1]:8081");
        properties.put("seed", "10.0.0.1:9000, 10.0.0.2:9000");
        properties.put("dc", "eu-west");
        properties.put("cluster-id", "-5");
        properties.put("request-timeout-ms", "250");
        properties.put("gossip-interval-ms", "100");
        properties.put("repair-interval-ms", "500");

        final KvNodeConfig config = KvNodeConfig.fromProperties(properties);

        assertThat(config.nodeId()).isEqualTo(65535);
        assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/kv"));
        assertThat(config.storage()).isEqualTo(StorageKind.SQLITE);
        assertThat(config.clusterListen()).isEqualTo(new HostPort("0.0.0.0", 9000));
        assertThat(config.clusterAddress()).isEqualTo(new HostPort("node-a.example", 9000));
        assertThat(config.httpListen()).isEqualTo(new HostPort("::1", 8081));
        assertThat(config.seeds()).containsExactly(new HostPort("10.0.0.1", 9000), new HostPort("10.0.0.2", 9000));
        assertThat(config.dataCentre()).isEqualTo("eu-west");
        assertThat(config.clusterId()).isEqualTo(-5);
        assertThat(config.requestTimeoutMs()).isEqualTo(250);
        assertThat(config.gossipIntervalMs()).isEqualTo(100);
        assertThat(config.repairIntervalMs()).isEqualTo(500);
    }

    @Test
    void badValuesAreOneLineNamingTheOption()
    {
        assertRefused(Map.of(), "node-id", "Missing option '--node-id'");
        assertRefused(Map.of("node-id", "65536"), "node-id", "'--node-id': expected 0..65535");
        assertRefused(Map.of("node-id", "one"), "node-id", "but was 'one'");
        assertRefused(Map.of("node-id", "1", "storage", "rocks"), "storage", "expected lmdb, sqlite or memory");
        assertRefused(Map.of("node-id", "1", "http-listen", "8080"), "http-listen", "expected HOST:PORT");
        assertRefused(Map.of("node-id", "1", "cluster-listen", "h:70000"), "cluster-listen", "expected HOST:PORT");
        assertRefused(Map.of("node-id", "1", "cluster-listen", "h:0"), "cluster-listen", "port 1..65535");
        assertRefused(Map.of("node-id", "1", "seed", "a:1,::1:2"), "seed", "'::1:2'");
        assertRefused(Map.of("node-id", "1", "dc", ""), "dc", "non-empty");
        assertRefused(Map.of("node-id", "1", "request-timeout-ms", "0"), "request-timeout-ms", "1..3600000");
        assertRefused(Map.of("node-id", "1", "colour", "blue"), "colour", "Unknown option '--colour'");
    }

    @Test
    void aPropertiesFileReadsInFileOrder(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("node.properties");
        Files.writeString(file, "# node one\nnode-id=1\nstorage=memory\nseed=127.0.0.1:7402\n");

        final Map<String, String> entries = KvNodeConfig.readProperties(file);

        assertThat(entries).containsEntry("node-id", "1").containsEntry("storage", "memory").hasSize(3);
        assertThatThrownBy(() -> KvNodeConfig.readProperties(dir.resolve("missing.properties")))
            .isInstanceOf(KvConfigException.class).hasMessageContaining("'--config': cannot read");
    }

    @Test
    void hostPortParsesNamesAddressesAndBracketedIpv6()
    {
        assertThat(HostPort.parse("localhost:1")).isEqualTo(new HostPort("localhost", 1));
        assertThat(HostPort.parse("[fe80::1]:65535").host()).isEqualTo("fe80::1");
        assertThat(new HostPort("fe80::1", 80)).hasToString("[fe80::1]:80");
        for (final String bad : List.of("", ":80", "host:", "host", "fe80::1:80", "h:-1", "h:65536", "h:x"))
        {
            assertThatThrownBy(() -> HostPort.parse(bad)).as("'%s'", bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static void assertRefused(final Map<String, String> properties, final String option, final String text)
    {
        assertThatThrownBy(() -> KvNodeConfig.fromProperties(properties))
            .isInstanceOf(KvConfigException.class)
            .hasMessageContaining(text)
            .satisfies((ex) -> assertThat(((KvConfigException)ex).option()).isEqualTo(option))
            .satisfies((ex) -> assertThat(ex.getMessage()).doesNotContain("\n"));
    }

    @Test
    void securitySettingsAreReadAndDefaultToAuthenticateWithoutInsecure()
    {
        final KvNodeConfig plain = KvNodeConfig.fromProperties(Map.of("node-id", "1"));
        assertThat(plain.hasKeyring()).isFalse();
        assertThat(plain.insecure()).isFalse();
        assertThat(plain.frameProtection()).isEqualTo(FrameProtection.AUTHENTICATE);

        final KvNodeConfig config = KvNodeConfig.fromProperties(Map.of("node-id", "1", "keyring-env",
            "DATACAKE_KEYRING", "frame-protection", "Encrypt", "insecure", "TRUE", "http-token-file", "/etc/token"));

        assertThat(config.keyringEnv()).isEqualTo("DATACAKE_KEYRING");
        assertThat(config.hasKeyring()).isTrue();
        assertThat(config.frameProtection()).isEqualTo(FrameProtection.ENCRYPT);
        assertThat(config.insecure()).isTrue();
        assertThat(config.httpTokenFile()).isEqualTo(Path.of("/etc/token"));
    }

    @Test
    void contradictoryOrIncompleteSecuritySettingsAreRefused()
    {
        assertThatThrownBy(() -> KvNodeConfig.fromProperties(
            Map.of("node-id", "1", "keyring-file", "/k", "keyring-env", "K")))
            .hasMessageContaining("'--keyring-file' and '--keyring-env' exclude each other");
        assertThatThrownBy(() -> KvNodeConfig.fromProperties(Map.of("node-id", "1", "frame-protection", "encrypt")))
            .hasMessageContaining("'--frame-protection' needs a keyring");
        assertThatThrownBy(() -> KvNodeConfig.fromProperties(
            Map.of("node-id", "1", "keyring-file", "/k", "frame-protection", "sign")))
            .hasMessage("Invalid value for option '--frame-protection': expected authenticate or encrypt but was " +
                "'sign'");
        assertThatThrownBy(() -> KvNodeConfig.fromProperties(Map.of("node-id", "1", "insecure", "yes")))
            .hasMessageContaining("'--insecure': expected true or false");
        assertThatThrownBy(() -> KvNodeConfig.fromProperties(
            Map.of("node-id", "1", "http-token-file", "/t", "http-token-env", "T")))
            .hasMessageContaining("exclude each other");
    }
}
