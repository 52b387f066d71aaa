package io.datacake.sim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

final class EventTraceTest
{
    @Test
    void keepsTheMostRecentEventsOldestFirstAndFormatsThemWhenAsked()
    {
        final EventTrace trace = new EventTrace();
        final int events = EventTrace.RECENT_EVENT_LIMIT + 6;
        for (int i = 0; i < events; i++)
        {
            if (0 == i % 2)
            {
                trace.record(i, "send", "a", "b", new byte[]{1, 2, 3}, 3);
            }
            else
            {
                trace.record(i, "event " + i);
            }
        }

        final String[] lines = trace.recentEvents().split("\n");
        assertThat(trace.eventCount()).isEqualTo(events);
        assertThat(lines).hasSize(EventTrace.RECENT_EVENT_LIMIT);
        assertThat(lines[0]).startsWith("6 send a->b len=3 crc=");
        assertThat(lines[1]).isEqualTo("7 event 7");
        assertThat(lines[lines.length - 1]).isEqualTo((events - 1) + " event " + (events - 1));
    }

    @Test
    void sameEventsSameDigest()
    {
        final EventTrace first = new EventTrace();
        final EventTrace second = new EventTrace();
        for (final EventTrace trace : new EventTrace[]{first, second})
        {
            trace.record(1, "send", "a", "b", new byte[]{9}, 1);
            trace.record(2, "crash node 1");
        }
        assertThat(first.digest()).isEqualTo(second.digest());
        first.record(3, "heal");
        assertThat(first.digest()).isNotEqualTo(second.digest());
    }
}
