package io.datacake.crdt;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A set sized at its documented maximum, {@link Orswot#MAX_ENTRIES}. The size arithmetic is checked without
 * allocating; sizing a set at the maximum allocates one 1.2 GB table (2^26 slots of 18 bytes), one test at a time.
 * Decoding a maximum-size encoding needs about 2.1 GB of direct memory (the 0.9 GB encoding and the table) and tens
 * of seconds, so it is tagged {@code soak} (run with {@code -Psoak}).
 */
class OrswotCapacityTest
{
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final long MAX_TABLE_BYTES = (long)StampTable.MAX_CAPACITY * StampTable.SLOT_LENGTH;

    @Test
    void theDocumentedMaximumFitsTheLargestTable()
    {
        assertThat(StampTable.capacityFor(Orswot.MAX_ENTRIES)).isEqualTo(StampTable.MAX_CAPACITY);
        assertThat(StampTable.resizeThresholdOf(StampTable.MAX_CAPACITY)).isEqualTo(Orswot.MAX_ENTRIES);
        assertThat(MAX_TABLE_BYTES).isLessThanOrEqualTo(Integer.MAX_VALUE);
        assertThat(StampTable.capacityFor(0)).isEqualTo(StampTable.MIN_CAPACITY);
        assertThat(StampTable.capacityFor(12)).isEqualTo(16);
        assertThat(StampTable.capacityFor(13)).isEqualTo(32);
        for (int size = 0; size < 100_000; size += 7)
        {
            final int capacity = StampTable.capacityFor(size);
            assertThat(StampTable.resizeThresholdOf(capacity)).isGreaterThanOrEqualTo(size);
            assertThat(capacity == StampTable.MIN_CAPACITY || StampTable.resizeThresholdOf(capacity / 2) < size)
                .as("smallest capacity for %d", size).isTrue();
        }
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
    void aSetSizedAtTheMaximumAllocates()
    {
        try (Orswot set = new Orswot(1, 0, Orswot.MAX_ENTRIES))
        {
            assertThat(set.offHeapBytes()).isGreaterThanOrEqualTo(MAX_TABLE_BYTES);
            assertThat(set.insert(1, 1L << 20, 1)).isTrue();
        }
    }

    @Test
    void ensureCapacityToTheMaximumAllocates()
    {
        try (Orswot set = new Orswot())
        {
            set.insert(-1, 1L << 20, 1);
            set.ensureCapacity(Orswot.MAX_ENTRIES);
            assertThat(set.offHeapBytes()).isGreaterThanOrEqualTo(MAX_TABLE_BYTES);
            assertThat(set.get(-1)).isEqualTo(1L << 20);
        }
    }

    @Test
    @Tag("soak")
    void decodesAValidMaximumSizeEncoding()
    {
        final int entries = Orswot.MAX_ENTRIES;
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
