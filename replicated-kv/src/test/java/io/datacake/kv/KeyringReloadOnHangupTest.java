package io.datacake.kv;

import io.datacake.transport.aeron.FreeUdpPorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static io.datacake.kv.SecureNodes.DEADLINE_MS;
import static io.datacake.kv.SecureNodes.TOKEN;
import static io.datacake.kv.SecureNodes.await;
import static io.datacake.kv.SecureNodes.secret;
import static io.datacake.kv.SecureNodes.write;
import static io.datacake.kv.SecureNodes.writeKeyring;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * A node process re-reads its keyring file on SIGHUP, and nothing it prints (ready line, logs) holds a key or the
 * HTTP token.
 */
final class KeyringReloadOnHangupTest
{
    @Test
    void sighupReloadsTheKeyringFileAndNoSecretIsEverPrinted(@TempDir final Path dir) throws Exception
    {
        assumeFalse(System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("win"), "needs POSIX signals");
        final Path keyring = writeKeyring(dir.resolve("keyring"), 1, 1, 3);
        final Path token = write(dir.resolve("token"), TOKEN);
        try (KvChildProcess child = new KvChildProcess(List.of("node-id=1", "storage=memory",
            "http-listen=127.0.0.1:0", "cluster-listen=127.0.0.1:" + FreeUdpPorts.loopback(),
            "keyring-file=" + keyring, "http-token-file=" + token), dir))
        {
            child.awaitReady(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS));

            writeKeyring(keyring, 2, 1, 3, 2, 4);
            final Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(child.process().pid())).start();
            assertThat(kill.waitFor(DEADLINE_MS, TimeUnit.MILLISECONDS)).isTrue();
            assertThat(kill.exitValue()).isZero();

            await("the node logs the reloaded keyring", () -> child.output().stream()
                .anyMatch((line) -> line.contains("keyring reloaded: Keyring{primary=2, keys=[1, 2]}")));
            assertThat(child.process().isAlive()).isTrue();
            assertThat(String.join("\n", child.output()))
                .doesNotContain(secret(3)).doesNotContain(secret(4)).doesNotContain(TOKEN);
        }
    }
}
