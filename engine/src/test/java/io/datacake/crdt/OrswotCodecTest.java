package io.datacake.crdt;

import io.datacake.testing.SeededTrials;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OrswotCodecTest
{
    private final List<Orswot> sets = new ArrayList<>();

    @AfterEach
    void tearDown()
    {
        sets.forEach(Orswot::close);
        sets.clear();
    }

    private Orswot newSet(final int sources)
    {
        final Orswot set = new Orswot(sources, 0, 16);
        sets.add(set);
        return set;
    }

    private Orswot randomSet(final java.util.SplittableRandom random, final int sources)
    {
        final OperationHistory history = OperationHistory.generate(random, 1 + random.nextInt(4),
            random.nextInt(300), 1 + random.nextInt(100));
        final Orswot set = newSet(sources);
        final int[][] prefixes = new int[sources][];
        for (int s = 0; s < sources; s++)
        {
            prefixes[s] = history.randomPrefix(random);
        }
        history.deliver(set, prefixes, random, 5);
        return set;
    }

    private static UnsafeBuffer encode(final Orswot set, final int offset)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(offset + (int)OrswotCodec.encodedLength(set)));
        assertThat(OrswotCodec.encode(set, buffer, offset)).isEqualTo(OrswotCodec.encodedLength(set));
        return buffer;
    }

    @Test
    void encodingRoundTrips()
    {
        SeededTrials.run("codec round trip", 200, random ->
        {
            final int sources = 1 + random.nextInt(3);
            final Orswot set = randomSet(random, sources);
            final int offset = random.nextInt(16);
            final UnsafeBuffer buffer = encode(set, offset);

            final Orswot decoded = newSet(sources);
            decoded.insert(123_456, 99, 1); // stale state the decode must replace
            OrswotCodec.decode(buffer, offset, buffer.capacity() - offset, decoded);
            assertThat(decoded.contentEquals(set)).isTrue();
            assertThat(decoded.contentDigest()).isEqualTo(set.contentDigest());
            for (int node = 0; node < 65_536; node += 4_099)
            {
                assertThat(decoded.safeStamp(node)).isEqualTo(set.safeStamp(node));
            }
            tearDown();
        });
    }

    @Test
    void emptySetIsJustAHeader()
    {
        final Orswot empty = newSet(2);
        assertThat(OrswotCodec.encodedLength(empty)).isEqualTo(OrswotCodec.HEADER_LENGTH);
        final UnsafeBuffer buffer = encode(empty, 0);
        final Orswot decoded = newSet(2);
        OrswotCodec.decode(buffer, 0, buffer.capacity(), decoded);
        assertThat(decoded.contentEquals(empty)).isTrue();
    }

    @Test
    void everyTruncationIsRejectedAndLeavesTheTargetEmpty()
    {
        final Orswot set = newSet(2);
        set.insert(1, 1_000_000, 1);
        set.delete(2, 2_000_000, 2);
        set.insert(Orswot.REPAIR_SOURCE, 3, 3_000_000, 3);
        final UnsafeBuffer buffer = encode(set, 0);
        for (int length = 0; length < buffer.capacity(); length++)
        {
            final Orswot target = newSet(2);
            target.insert(77, 5, 5);
            final int truncated = length;
            assertThatThrownBy(() -> OrswotCodec.decode(buffer, 0, truncated, target))
                .isInstanceOf(OrswotEncodingException.class);
            assertThat(target.get(77)).as("target untouched by a rejected header/length").isEqualTo(5);
        }
    }

    @Test
    void malformedFieldsAreRejectedWithSpecificMessages()
    {
        final Orswot set = newSet(2);
        set.insert(1, 1_000_000, 1);
        set.insert(2, 2_000_000, 1);
        final Orswot target = newSet(2);

        final UnsafeBuffer badMagic = encode(set, 0);
        badMagic.putInt(0, 0xCAFEBABE);
        assertThatThrownBy(() -> OrswotCodec.decode(badMagic, 0, badMagic.capacity(), target))
            .isInstanceOf(OrswotEncodingException.class).hasMessageContaining("magic");

        final UnsafeBuffer badVersion = encode(set, 0);
        badVersion.putByte(4, (byte)9);
        assertThatThrownBy(() -> OrswotCodec.decode(badVersion, 0, badVersion.capacity(), target))
            .isInstanceOf(OrswotEncodingException.class).hasMessageContaining("version 9");

        final Orswot oneSource = newSet(1);
        final UnsafeBuffer good = encode(set, 0);
        assertThatThrownBy(() -> OrswotCodec.decode(good, 0, good.capacity(), oneSource))
            .isInstanceOf(OrswotEncodingException.class).hasMessageContaining("sources");

        final UnsafeBuffer negativeCount = encode(set, 0);
        negativeCount.putInt(12, -1, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThatThrownBy(() -> OrswotCodec.decode(negativeCount, 0, negativeCount.capacity(), target))
            .isInstanceOf(OrswotEncodingException.class).hasMessageContaining("counts");

        final UnsafeBuffer zeroStamp = encode(set, 0);
        zeroStamp.putLong(OrswotCodec.HEADER_LENGTH + OrswotCodec.SEEN_STAMP_LENGTH + 8, 0L);
        assertThatThrownBy(() -> OrswotCodec.decode(zeroStamp, 0, zeroStamp.capacity(), target))
            .isInstanceOf(OrswotEncodingException.class).hasMessageContaining("stamp");

        final UnsafeBuffer badSource = encode(set, 0);
        badSource.putShort(OrswotCodec.HEADER_LENGTH, (short)7, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThatThrownBy(() -> OrswotCodec.decode(badSource, 0, badSource.capacity(), target))
            .isInstanceOf(OrswotEncodingException.class).hasMessageContaining("source 7");
    }

    @Test
    void duplicateKeyIsRejectedAndTheTargetIsLeftEmptyNotHalfFilled()
    {
        final Orswot set = newSet(1);
        set.insert(1, 1_000_000, 1);
        set.insert(2, 2_000_000, 1);
        set.delete(3, 3_000_000, 1);
        final UnsafeBuffer buffer = encode(set, 0);
        // Point the tombstone (the last record) at key 1, which is also live.
        buffer.putLong(buffer.capacity() - OrswotCodec.ENTRY_LENGTH, 1L, java.nio.ByteOrder.LITTLE_ENDIAN);

        final Orswot target = newSet(1);
        target.insert(50, 10, 1);
        assertThatThrownBy(() -> OrswotCodec.decode(buffer, 0, buffer.capacity(), target))
            .isInstanceOf(OrswotEncodingException.class).hasMessageContaining("twice");
        assertThat(target.liveCount()).isZero();
        assertThat(target.tombstoneCount()).isZero();
    }

    @Test
    void randomCorruptionNeverCrashesAndNeverLeavesHalfState()
    {
        SeededTrials.run("codec corruption", 200, random ->
        {
            final Orswot set = randomSet(random, 2);
            final UnsafeBuffer buffer = encode(set, 0);
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--)
            {
                final int at = random.nextInt(buffer.capacity());
                buffer.putByte(at, (byte)(buffer.getByte(at) ^ (1 + random.nextInt(255))));
            }
            final Orswot target = newSet(2);
            target.insert(-77, 5, 5);
            try
            {
                OrswotCodec.decode(buffer, 0, buffer.capacity(), target);
                assertThat(target.get(-77) == 5 && set.get(-77) != 5).as("decoded state replaced the old").isFalse();
            }
            catch (final OrswotEncodingException expected)
            {
                // Either rejected before touching the target, or emptied: never a mix.
                final boolean untouched = target.liveCount() == 1 && target.get(-77) == 5 &&
                    target.tombstoneCount() == 0;
                final boolean emptied = target.liveCount() == 0 && target.tombstoneCount() == 0;
                assertThat(untouched || emptied).as("half-decoded state").isTrue();
            }
            tearDown();
        });
    }
}
