package io.datacake.store;

import io.datacake.clock.HlcTimestamp;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replicate message decodes to exactly what was encoded, puts and tombstones alike, and the decoder's bounds
 * on entries and value length are the receiver's own.
 */
final class ReplicationMessageTest
{
    private static final long STAMP = HlcTimestamp.pack(1_764_000_000_000L, 3);

    @Test
    void putsAndTombstonesRoundTrip()
    {
        final ReplicationMessage encoder = new ReplicationMessage();
        encoder.beginEncode("docs".getBytes(StandardCharsets.UTF_8));
        encoder.encodePut(-1L, STAMP, 65_535, "abc".getBytes(StandardCharsets.UTF_8));
        encoder.encodeTombstone(42, STAMP + 1, 0);
        encoder.encodePut(7, STAMP + 2, 9, new byte[0]);

        final ReplicationMessage decoder = new ReplicationMessage();
        assertThat(decoder.wrap(encoder.encoded(), 0, encoder.encodedLength(), 3, 3)).isEqualTo(ReplicationMessage.OK);
        assertThat(decoder.keyspace()).isEqualTo("docs");
        assertThat(decoder.entryCount()).isEqualTo(3);

        assertThat(decoder.next()).isTrue();
        assertThat(decoder.key()).isEqualTo(-1L);
        assertThat(decoder.stamp()).isEqualTo(STAMP);
        assertThat(decoder.nodeId()).isEqualTo(65_535);
        assertThat(decoder.isTombstone()).isFalse();
        assertThat(decoder.buffer().getStringWithoutLengthAscii(decoder.valueOffset(), decoder.valueLength()))
            .isEqualTo("abc");

        assertThat(decoder.next()).isTrue();
        assertThat(decoder.key()).isEqualTo(42);
        assertThat(decoder.stamp()).isEqualTo(STAMP + 1);
        assertThat(decoder.isTombstone()).isTrue();

        assertThat(decoder.next()).isTrue();
        assertThat(decoder.key()).isEqualTo(7);
        assertThat(decoder.isTombstone()).isFalse();
        assertThat(decoder.valueLength()).isZero();
        assertThat(decoder.next()).isFalse();

        decoder.rewind();
        assertThat(decoder.next()).isTrue();
        assertThat(decoder.key()).isEqualTo(-1L);

        assertThat(decoder.wrap(encoder.encoded(), 0, encoder.encodedLength(), 2, 3))
            .isEqualTo(ReplicationMessage.BAD_ENTRY_COUNT);
        assertThat(decoder.wrap(encoder.encoded(), 0, encoder.encodedLength(), 3, 2))
            .isEqualTo(ReplicationMessage.BAD_VALUE_LENGTH);
    }

    @Test
    void theEncoderStartsAfreshForEveryMessage()
    {
        final ReplicationMessage encoder = new ReplicationMessage();
        encoder.beginEncode("a".getBytes(StandardCharsets.UTF_8));
        encoder.encodePut(1, STAMP, 1, new byte[100]);
        encoder.encodePut(2, STAMP, 1, new byte[100]);
        encoder.beginEncode("bb".getBytes(StandardCharsets.UTF_8));
        encoder.encodeTombstone(3, STAMP, 1);

        final ReplicationMessage decoder = new ReplicationMessage();
        assertThat(decoder.wrap(encoder.encoded(), 0, encoder.encodedLength(), 10, 100))
            .isEqualTo(ReplicationMessage.OK);
        assertThat(decoder.keyspace()).isEqualTo("bb");
        assertThat(decoder.entryCount()).isEqualTo(1);
        assertThat(encoder.encodedLength())
            .isEqualTo(ReplicationMessage.HEADER_LENGTH + 2 + ReplicationMessage.ENTRY_HEADER_LENGTH);
    }
}
