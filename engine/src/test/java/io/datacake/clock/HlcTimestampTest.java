package io.datacake.clock;

import org.junit.jupiter.api.Test;

import static io.datacake.clock.HlcTimestamp.compare;
import static io.datacake.clock.HlcTimestamp.pack;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HlcTimestampTest
{
    private static final long NOW_MS = 1_764_061_731_123L;

    @Test
    void packRoundTrips()
    {
        final long stamp = pack(NOW_MS, 0xBEEF);
        assertThat(HlcTimestamp.millis(stamp)).isEqualTo(NOW_MS);
        assertThat(HlcTimestamp.counter(stamp)).isEqualTo(0xBEEF);
        assertThat(pack(HlcTimestamp.MAX_MILLIS, HlcTimestamp.MAX_COUNTER)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void packRejectsOutOfRange()
    {
        assertThatThrownBy(() -> pack(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pack(HlcTimestamp.MAX_MILLIS + 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pack(NOW_MS, 65_536)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void orderIsTimeThenCounterThenNode()
    {
        assertThat(compare(pack(NOW_MS, 0), 9, pack(NOW_MS + 1, 0), 0)).isNegative();
        assertThat(compare(pack(NOW_MS, 1), 0, pack(NOW_MS, 0), 9)).isPositive();
        assertThat(compare(pack(NOW_MS, 1), 3, pack(NOW_MS, 1), 2)).isPositive();
        assertThat(compare(pack(NOW_MS, 1), 3, pack(NOW_MS, 1), 3)).isZero();
        assertThat(compare(pack(NOW_MS, 1), 300, pack(NOW_MS, 1), 65_000)).isNegative();
    }

    @Test
    void readableFormRoundTrips()
    {
        final long stamp = pack(NOW_MS, 10);
        final String text = HlcTimestamp.toString(stamp, 12);
        assertThat(text).isEqualTo("2025-11-25T09:08:51.123Z/000a/12");
        assertThat(HlcTimestamp.parseStamp(text)).isEqualTo(stamp);
        assertThat(HlcTimestamp.parseNodeId(text)).isEqualTo(12);

        final long max = pack(NOW_MS, HlcTimestamp.MAX_COUNTER);
        assertThat(HlcTimestamp.parseStamp(HlcTimestamp.toString(max, 65_535))).isEqualTo(max);
    }

    @Test
    void parseRejectsGarbageWithSpecificError()
    {
        for (final String bad : new String[]{ "", "abc", "2025-11-25T09:08:51.123Z/zz/1",
            "2025-11-25T09:08:51.123Z/000a/70000", "not-a-date/0001/1", "2025-11-25T09:08:51.123Z/10000/1" })
        {
            assertThatThrownBy(() -> HlcTimestamp.parseStamp(bad))
                .as(bad)
                .isInstanceOf(HlcFormatException.class)
                .hasMessageContaining("expected e.g.");
        }
    }
}
