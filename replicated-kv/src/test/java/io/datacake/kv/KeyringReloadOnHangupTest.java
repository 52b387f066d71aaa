package io.datacake.kv;

import io.datacake.transport.aeron.FreeUdpPorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.datacake.kv.SecureNodes.DEADLINE_MS;
import static io.datacake.kv.SecureNodes.TOKEN;
import static io.datacake.kv.SecureNodes.secret;
import static io.datacake.kv.SecureNodes.write;
import static io.datacake.kv.SecureNodes.writeKeyring;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * A node process re-reads its keyring file on SIGHUP, and nothing it prints (ready line, logs) holds a key or the
 * HTTP token. A process started with SIGHUP ignored cannot, and says so.
 */
final class KeyringReloadOnHangupTest
{
    private static final Path SELF_STATUS = Path.of("/proc/self/status");
    private static final String IGNORED_WARNING = "SIGHUP is ignored in this process";

    @Test
    void sighupReloadsTheKeyringFileAndNoSecretIsEverPrinted(@TempDir final Path dir) throws Exception
    {
        assumeFalse(System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("win"), "needs POSIX signals");
        final Path keyring = writeKeyring(dir.resolve("keyring"), 1, 1, 3);
        final Path token = write(dir.resolve("token"), TOKEN);
        // A child inherits an ignored SIGHUP (a build run under nohup), and its JVM cannot handle it then.
        final List<String> launcher = hangupIgnoredHere() ? List.of("env", "--default-signal=HUP") : List.of();
        try (KvChildProcess child = new KvChildProcess(launcher, settings(keyring, token), dir))
        {
            child.awaitReady(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS));

            writeKeyring(keyring, 2, 1, 3, 2, 4);
            hangUp(child);

            await("the node logs the reloaded keyring", () -> child.output().stream()
                .anyMatch((line) -> line.contains("keyring reloaded: Keyring{primary=2, keys=[1, 2]}")), child);
            assertThat(child.process().isAlive()).isTrue();
            assertThat(String.join("\n", child.output()))
                .doesNotContain(secret(3)).doesNotContain(secret(4)).doesNotContain(TOKEN)
                .doesNotContain(IGNORED_WARNING);
        }
    }

    @Test
    void aNodeStartedWithSighupIgnoredNamesTheHttpReloadInstead(@TempDir final Path dir) throws Exception
    {
        assumeFalse(System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("win"), "needs POSIX signals");
        final Path keyring = writeKeyring(dir.resolve("keyring"), 1, 1, 3);
        final Path token = write(dir.resolve("token"), TOKEN);
        // The shell sets SIGHUP to ignored and execs the JVM in its place, as nohup does.
        final List<String> launcher = List.of("sh", "-c", "trap '' HUP; exec \"$@\"", "sh");
        try (KvChildProcess child = new KvChildProcess(launcher, settings(keyring, token), dir))
        {
            child.awaitReady(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS));

            await("the node warns that SIGHUP cannot reload the keyring", () -> child.output().stream()
                .anyMatch((line) -> line.contains(IGNORED_WARNING) && line.contains("POST /admin/keyring/reload")),
                child);
            hangUp(child);
            assertThat(child.process().waitFor(1, TimeUnit.SECONDS))
                .as("an ignored SIGHUP leaves the node running").isFalse();
        }
    }

    private static List<String> settings(final Path keyring, final Path token)
    {
        return List.of("node-id=1", "storage=memory", "http-listen=127.0.0.1:0",
            "cluster-listen=127.0.0.1:" + FreeUdpPorts.loopback(), "keyring-file=" + keyring,
            "http-token-file=" + token);
    }

    private static void hangUp(final KvChildProcess child) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(child.process().pid())).start();
        assertThat(kill.waitFor(DEADLINE_MS, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private static void await(final String what, final BooleanSupplier condition,
        final KvChildProcess child) throws InterruptedException
    {
        try
        {
            SecureNodes.await(what, condition);
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + "; node output: " + child.output(), ex);
        }
    }

    /**
     * @return true if this JVM's SIGHUP is ignored (bit 0 of {@code SigIgn} on Linux); false where that cannot be read.
     */
    private static boolean hangupIgnoredHere() throws IOException
    {
        if (!Files.isReadable(SELF_STATUS))
        {
            return false;
        }
        for (final String line : Files.readAllLines(SELF_STATUS))
        {
            if (line.startsWith("SigIgn:"))
            {
                return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & 1L) != 0;
            }
        }
        return false;
    }
}
