package io.datacake.crdt;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The documented maximum, {@link Orswot#MAX_ENTRIES}: checked without allocating it (about 7 GB of tables). Decoding
 * the largest encoding that fits one buffer needs about 4 GB of direct memory and tens of seconds, so it is tagged
 * {@code soak} (run with {@code -Psoak}).
 */
class OrswotCapacityTest
{
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    @Test
    void theDocumentedMaximumIsTheTableLimitAndHoldsAHundredMillionKeys()
    {
        assertThat(Orswot.MAX_ENTRIES).isEqualTo(StampTable.MAX_SIZE).isGreaterThanOrEqualTo(100_000_000);
    }
    @Test
    void beyondTheMaximumIsRejectedNamingTheLimit()
    {
        assertThatThrownBy(() -> new Orswot(1, 0, Orswot.MAX_ENTRIES + 1))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(String.valueOf(Orswot.MAX_ENTRIES));
        try (Orswot set = new Orswot())
        {
            assertThatThrownBy(() -> set.ensureCapacity(Orswot.MAX_ENTRIES + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(Orswot.MAX_ENTRIES));
        }
    }

    @Test
    void aSetSizedAheadHoldsItsEntries()
    {
        try (Orswot set = new Orswot(1, 0, 200_000))
        {
            final long sizedBytes = set.offHeapBytes();
            for (int key = 0; key < 200_000; key++)
            {
                assertThat(set.insert(key, 1L << 20, 1)).isTrue();
            }
            assertThat(set.liveCount()).isEqualTo(200_000);
            assertThat(set.offHeapBytes()).isLessThan(sizedBytes * 2);
        }
    }

    @Test
    @Tag("soak")
    void decodesTheLargestEncodingOneBufferHolds()
    {
        final int entries = (int)Math.min(Orswot.MAX_ENTRIES,
            (Integer.MAX_VALUE - OrswotCodec.HEADER_LENGTH) / OrswotCodec.ENTRY_LENGTH);
        final long length = OrswotCodec.HEADER_LENGTH + (long)entries * OrswotCodec.ENTRY_LENGTH;
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect((int)length));
        buffer.putInt(0, OrswotCodec.MAGIC, ORDER);
        buffer.putByte(4, (byte)OrswotCodec.VERSION);
        buffer.putByte(5, (byte)1);
        buffer.putInt(12, entries, ORDER);
        for (int i = 0, p = OrswotCodec.HEADER_LENGTH; i < entries; i++, p += OrswotCodec.ENTRY_LENGTH)
        {
            buffer.putLong(p, i, ORDER);
            buffer.putLong(p + 8, 1L << 20, ORDER);
            buffer.putShort(p + 16, (short)1, ORDER);
        }

        try (Orswot set = new Orswot(1, 0, 16))
        {
            OrswotCodec.decode(buffer, 0, (int)length, set);
            assertThat(set.liveCount()).isEqualTo(entries);
            assertThat(set.get(entries - 1)).isEqualTo(1L << 20);
        }
    }
}
