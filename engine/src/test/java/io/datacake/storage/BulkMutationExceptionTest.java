package io.datacake.storage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BulkMutationExceptionTest
{
    @Test
    void reportsAppliedOperationsAndKeysAsCopies()
    {
        final int[] ops = {1, 3};
        final long[] keys = {11, 33};
        final BulkMutationException ex = new BulkMutationException("boom", null, ops, keys);
        ops[0] = 99;
        keys[0] = 99;
        assertThat(ex.appliedOperations()).containsExactly(1, 3);
        assertThat(ex.appliedKeys()).containsExactly(11, 33);
        assertThat(ex.isApplied(1)).isTrue();
        assertThat(ex.isApplied(2)).isFalse();
        assertThat(ex.appliedCount()).isEqualTo(2);
        assertThat(ex.getMessage()).contains("boom").contains("2 operations applied");
        assertThat(ex).isInstanceOf(StorageException.class);
    }

    @Test
    void rejectsMismatchedArrays()
    {
        assertThatThrownBy(() -> new BulkMutationException("x", null, new int[1], new long[2]))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void documentEqualityIsKeyTimestampAndBytes()
    {
        final Document a = new Document(1, 2, 3, new byte[]{1, 2});
        assertThat(a).isEqualTo(new Document(1, 2, 3, new byte[]{1, 2}));
        assertThat(a).isNotEqualTo(new Document(1, 2, 3, new byte[]{1, 3}));
        assertThat(a).isNotEqualTo(new Document(1, 2, 4, new byte[]{1, 2}));
        assertThat(a.hashCode()).isEqualTo(new Document(1, 9, 9, new byte[0]).hashCode());
        final byte[] bytes = a.value();
        bytes[0] = 9;
        assertThat(a.value()[0]).as("documents are immutable").isEqualTo((byte)1);
    }
}
