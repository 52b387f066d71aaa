package io.datacake.storage;

import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyspaceNamesTest
{
    @Test
    void countsUtf8BytesNotCharacters()
    {
        assertThat(KeyspaceNames.validate("a")).isEqualTo(1);
        assertThat(KeyspaceNames.validate("é")).isEqualTo(2);
        assertThat(KeyspaceNames.validate("€")).isEqualTo(3);
        assertThat(KeyspaceNames.validate("\uD83D\uDE00")).isEqualTo(4); // one emoji, a surrogate pair
        assertThat(KeyspaceNames.validate("é".repeat(127) + "a")).isEqualTo(255);
        assertThatThrownBy(() -> KeyspaceNames.validate("é".repeat(128)))
            .isInstanceOf(InvalidKeyspaceNameException.class);
        assertThatThrownBy(() -> KeyspaceNames.validate("\uD83D\uDE00".repeat(64)))
            .isInstanceOf(InvalidKeyspaceNameException.class);
    }

    @Test
    void agreesWithTheJdkEncoderOnRandomNames()
    {
        final long seed = SeededTrials.seed("KeyspaceNamesTest random names");
        final SplittableRandom random = new SplittableRandom(seed);
        for (int trial = 0; trial < 2000; trial++)
        {
            final StringBuilder name = new StringBuilder();
            final int length = 1 + random.nextInt(80);
            for (int i = 0; i < length; i++)
            {
                name.appendCodePoint(randomCodePoint(random));
            }
            final String text = name.toString();
            final int expected = text.getBytes(StandardCharsets.UTF_8).length;
            if (expected <= 255)
            {
                assertThat(KeyspaceNames.validate(text)).as("seed %d, name %s", seed, text).isEqualTo(expected);
                assertThat(KeyspaceNames.encode(text)).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
            }
            else
            {
                assertThatThrownBy(() -> KeyspaceNames.validate(text)).as("seed %d", seed)
                    .isInstanceOf(InvalidKeyspaceNameException.class);
            }
        }
    }

    @Test
    void rejectsNullEmptyAndUnpairedSurrogates()
    {
        assertThatThrownBy(() -> KeyspaceNames.validate(null)).hasMessageContaining("null");
        assertThatThrownBy(() -> KeyspaceNames.validate("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> KeyspaceNames.validate("a\uDE00")).hasMessageContaining("surrogate");
        assertThatThrownBy(() -> KeyspaceNames.validate("a\uD83D")).hasMessageContaining("surrogate");
    }

    private static int randomCodePoint(final SplittableRandom random)
    {
        switch (random.nextInt(4))
        {
            case 0: return 0x20 + random.nextInt(0x5F);
            case 1: return 0x80 + random.nextInt(0x780);
            case 2: return 0x800 + random.nextInt(0xD000 - 0x800);
            default: return 0x10000 + random.nextInt(0x10000);
        }
    }
}
