package io.datacake.store;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.datacake.storage.KeyspaceNames;
import io.datacake.testing.FuzzInputs;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replicate messages (also the body of a repair fetch reply), mutated from real ones: {@link ReplicationMessage#wrap}
 * returns a known reason and never throws, and every entry of a message it accepts lies inside the message and
 * within the bounds it was given.
 */
final class ReplicationMessageFuzzTest
{
    private static final int MAX_ENTRIES = 16;
    private static final int MAX_VALUE_LENGTH = 256;
    private static final int OFFSET = 5;
    private static final List<byte[]> SEEDS = seeds();

    private final ReplicationMessage message = new ReplicationMessage();

    @Test
    void mutatedMessagesAreRefusedWithAReasonOrReadWithinTheirBounds()
    {
        assertThat(FuzzInputs.runSlice("replicate messages", SEEDS, this::receive)).isGreaterThan(SEEDS.size());
    }

    @FuzzTest(maxDuration = "60s")
    void replicateMessage(final FuzzedDataProvider data)
    {
        receive(FuzzInputs.mutate(SEEDS, FuzzInputs.from(data)));
    }

    private void receive(final byte[] bytes)
    {
        // The message sits inside a larger buffer, as an RPC body does; the bytes after it must never be read.
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[OFFSET + bytes.length + 64]);
        buffer.putBytes(OFFSET, bytes);
        final int reason = message.wrap(buffer, OFFSET, bytes.length, MAX_ENTRIES, MAX_VALUE_LENGTH);
        assertThat(reason).isBetween(ReplicationMessage.OK, ReplicationMessage.REASON_COUNT - 1);
        if (ReplicationMessage.OK != reason)
        {
            return;
        }
        KeyspaceNames.validate(message.keyspace());
        assertThat(message.entryCount()).isBetween(1, MAX_ENTRIES);
        int entries = 0;
        while (message.next())
        {
            entries++;
            assertThat(message.stamp()).isPositive();
            if (!message.isTombstone())
            {
                assertThat(message.valueLength()).isBetween(0, MAX_VALUE_LENGTH);
                assertThat(message.valueOffset() + message.valueLength()).isLessThanOrEqualTo(OFFSET + bytes.length);
            }
        }
        assertThat(entries).isEqualTo(message.entryCount());
    }

    private static List<byte[]> seeds()
    {
        final ReplicationMessage encoder = new ReplicationMessage();
        final List<byte[]> seeds = new ArrayList<>();
        encoder.beginEncode("docs".getBytes(StandardCharsets.UTF_8));
        encoder.encodePut(1, 5, 1, new byte[]{1, 2, 3});
        seeds.add(copy(encoder));
        encoder.beginEncode("ключ".getBytes(StandardCharsets.UTF_8));
        encoder.encodePut(-7, 1L << 40, 3, new byte[0]);
        encoder.encodeTombstone(8, 6, 2);
        encoder.encodePut(9, 7, 65_535, new byte[40]);
        seeds.add(copy(encoder));
        return List.copyOf(seeds);
    }

    private static byte[] copy(final ReplicationMessage encoder)
    {
        final byte[] bytes = new byte[encoder.encodedLength()];
        encoder.encoded().getBytes(0, bytes);
        return bytes;
    }
}
