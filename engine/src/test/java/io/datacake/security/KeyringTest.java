package io.datacake.security;

import io.datacake.testing.TestKeyrings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class KeyringTest
{
    private static final String KEY_1 = Base64.getEncoder().encodeToString(TestKeyrings.secret(1));
    private static final String KEY_2 = Base64.getEncoder().encodeToString(TestKeyrings.secret(2));

    @Test
    void rotationStepsAddPromoteAndRemoveKeys()
    {
        final Keyring start = Keyring.of(1, TestKeyrings.secret(1));
        final Keyring installed = start.withKey(2, TestKeyrings.secret(2));
        final Keyring promoted = installed.withPrimary(2);
        final Keyring retired = promoted.withoutKey(1);

        assertThat(installed.primaryKeyId()).isEqualTo(1);
        assertThat(installed.keyIds()).containsExactly(1, 2);
        assertThat(promoted.primaryKeyId()).isEqualTo(2);
        assertThat(retired.keyIds()).containsExactly(2);
        assertThat(start.keyIds()).as("keyrings are values").containsExactly(1);
    }

    @Test
    void updatesThatWouldBreakTheKeyringAreRefusedWithTheFix()
    {
        final Keyring keyring = Keyring.of(1, TestKeyrings.secret(1));
        assertThatThrownBy(() -> keyring.withoutKey(1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("primary key").hasMessageContaining("make another key primary first");
        assertThatThrownBy(() -> keyring.withPrimary(2)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("add it with withKey first");
        assertThatThrownBy(() -> keyring.withKey(1, TestKeyrings.secret(3)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already in the keyring");
        assertThatThrownBy(() -> keyring.withKey(2, new byte[10])).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("16, 24 or 32 bytes").hasMessageContaining("10 bytes");
        assertThatThrownBy(() -> Keyring.of(0, TestKeyrings.secret(1))).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("key id must be 1..65535");
        Keyring full = keyring;
        for (int id = 2; id <= Keyring.MAX_KEYS; id++)
        {
            full = full.withKey(id, TestKeyrings.secret(id));
        }
        final Keyring atBound = full;
        assertThatThrownBy(() -> atBound.withKey(100, TestKeyrings.secret(9)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most " + Keyring.MAX_KEYS);
    }

    @Test
    void textFormatRoundTripsAndAllowsCommentsBlankLinesAndSemicolons()
    {
        final Keyring parsed = Keyring.parse("# cluster keys\n\nprimary = 2\nkey.1 = " + KEY_1 + "\r\n key.2=" + KEY_2);
        assertThat(parsed.primaryKeyId()).isEqualTo(2);
        assertThat(parsed.keyIds()).containsExactly(1, 2);
        assertThat(Keyring.parse("primary=1;key.1=" + KEY_1).keyIds()).containsExactly(1);
        final Keyring again = Keyring.parse(parsed.toText());
        assertThat(again.toText()).isEqualTo(parsed.toText());
        assertThat(again.secret(2)).isEqualTo(TestKeyrings.secret(2));
        assertThat(parsed.toString()).doesNotContain(KEY_1).contains("primary=2");
    }

    @Test
    void badTextIsRefusedNamingTheEntry()
    {
        assertThatThrownBy(() -> Keyring.parse("primary=1\nkey.1"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entry 2")
            .hasMessageContaining("expected name = value");
        assertThatThrownBy(() -> Keyring.parse("primary=1\nkey.1=" + KEY_1 + "\nsecret=x"))
            .hasMessageContaining("entry 3").hasMessageContaining("unknown name 'secret'");
        assertThatThrownBy(() -> Keyring.parse("primary=1\nkey.1=***"))
            .hasMessageContaining("key.1 is not Base64");
        assertThatThrownBy(() -> Keyring.parse("primary=2\nkey.1=" + KEY_1))
            .hasMessageContaining("primary key 2 is not one of the keys [1]");
        assertThatThrownBy(() -> Keyring.parse("key.1=" + KEY_1)).hasMessageContaining("names no primary key");
        assertThatThrownBy(() -> Keyring.parse("primary=1")).hasMessageContaining("holds no key");
        assertThatThrownBy(() -> Keyring.parse("primary=1\nkey.1=" + KEY_1 + "\nkey.1=" + KEY_2))
            .hasMessageContaining("key.1 is given twice");
        assertThatThrownBy(() -> Keyring.parse("primary=x\nkey.1=" + KEY_1))
            .hasMessageContaining("key id is not a number: 'x'");
    }

    @Test
    void fileAndEnvironmentSources(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("keyring");
        Files.writeString(file, "primary = 1\nkey.1 = " + KEY_1 + "\n");
        assertThat(Keyring.fromFile(file).keyIds()).containsExactly(1);
        assertThatThrownBy(() -> Keyring.fromFile(dir.resolve("missing")))
            .isInstanceOf(UncheckedIOException.class).hasMessageContaining("cannot read keyring file");
        Files.writeString(file, "primary = 1\n");
        assertThatThrownBy(() -> Keyring.fromFile(file)).hasMessageContaining("keyring file " + file);
        assertThatThrownBy(() -> Keyring.fromEnvironment("DATACAKE_TEST_KEYRING_NEVER_SET"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("DATACAKE_TEST_KEYRING_NEVER_SET is not set");
    }
}
