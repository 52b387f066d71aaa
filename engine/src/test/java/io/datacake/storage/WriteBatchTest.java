package io.datacake.storage;

import io.datacake.clock.HlcTimestamp;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WriteBatchTest
{
    private static final long STAMP = HlcTimestamp.pack(1_764_000_000_000L, 1);

    @Test
    void recordsOperationsInOrderAndCopiesValues()
    {
        final WriteBatch batch = new WriteBatch(64);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[16]);
        value.putStringWithoutLengthAscii(0, "abcdefgh");
        batch.put("ks", 7, STAMP, 3, value, 2, 4);
        value.putStringWithoutLengthAscii(0, "XXXXXXXX");
        batch.tombstone("other", 8, STAMP + 1, 4);
        batch.removeTombstone("ks", 9);

        assertThat(batch.size()).isEqualTo(3);
        assertThat(batch.type(0)).isEqualTo(WriteBatch.PUT);
        assertThat(batch.keyspace(0)).isEqualTo("ks");
        assertThat(batch.key(0)).isEqualTo(7);
        assertThat(batch.stamp(0)).isEqualTo(STAMP);
        assertThat(batch.nodeId(0)).isEqualTo(3);
        assertThat(batch.valueLength(0)).isEqualTo(4);
        assertThat(batch.valueBuffer().getStringWithoutLengthAscii(batch.valueOffset(0), 4)).isEqualTo("cdef");

        assertThat(batch.type(1)).isEqualTo(WriteBatch.TOMBSTONE);
        assertThat(batch.valueLength(1)).isZero();
        assertThat(batch.type(2)).isEqualTo(WriteBatch.REMOVE_TOMBSTONE);
        assertThat(batch.stamp(2)).isEqualTo(HlcTimestamp.NULL_STAMP);

        final UnsafeBuffer copy = new UnsafeBuffer(new byte[6]);
        batch.copyValue(0, copy, 1);
        assertThat(copy.getStringWithoutLengthAscii(1, 4)).isEqualTo("cdef");

        assertThatThrownBy(() -> batch.key(3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> batch.type(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void growsPastItsInitialCapacityAndClearsForReuse()
    {
        final WriteBatch batch = new WriteBatch(8, 1000, 8000);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[8]);
        for (int i = 0; i < 1000; i++)
        {
            value.putInt(0, i);
            batch.put("ks", i, STAMP + i, 1, value, 0, 8);
        }
        for (int i = 0; i < 1000; i++)
        {
            assertThat(batch.key(i)).isEqualTo(i);
            assertThat(batch.valueBuffer().getInt(batch.valueOffset(i))).isEqualTo(i);
        }
        assertThat(batch.remainingOperations()).isZero();
        assertThat(batch.remainingValueBytes()).isZero();

        batch.clear();
        assertThat(batch.isEmpty()).isTrue();
        assertThat(batch.remainingOperations()).isEqualTo(1000);
        assertThat(batch.remainingValueBytes()).isEqualTo(8000);
        assertThatThrownBy(() -> batch.keyspace(0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void enforcesItsValueByteBound()
    {
        final WriteBatch batch = new WriteBatch(8, 100, 12);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[8]);
        batch.put("ks", 1, STAMP, 1, value, 0, 8);
        assertThatThrownBy(() -> batch.put("ks", 2, STAMP, 1, value, 0, 8))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxValueBytes");
        batch.put("ks", 2, STAMP, 1, value, 0, 4);
        assertThat(batch.size()).isEqualTo(2);
    }

    @Test
    void rejectsBadBounds()
    {
        assertThatThrownBy(() -> new WriteBatch(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WriteBatch(8, 0, 8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WriteBatch(8, 1, 7)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRefetchableMarkHoldsUntilTheBatchIsCleared()
    {
        final WriteBatch batch = new WriteBatch(8);
        assertThat(batch.isRefetchable()).isFalse();
        batch.refetchable(true).tombstone("docs", 1, HlcTimestamp.pack(1_764_000_000_000L, 0), 1);
        assertThat(batch.isRefetchable()).isTrue();
        batch.clear();
        assertThat(batch.isRefetchable()).isFalse();
    }
}
