package io.datacake.transport.aeron;

import io.datacake.transport.Transport;
import io.datacake.transport.aeron.AeronTransportFactory.Media;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.datacake.transport.aeron.TransportTestSupport.pattern;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A publication that reaches the end of its log reports {@link Transport#MAX_POSITION_EXCEEDED}, and the transport
 * replaces it so that the peer can be reached again. The log end is reached quickly by starting the publication in
 * its last term, through Aeron's initial-position channel parameters.
 */
class AeronMaxPositionTest
{
    @Test
    void exhaustedPublicationIsReportedAndReplaced()
    {
        try (AeronTransportFactory factory = new AeronTransportFactory(Media.IPC))
        {
            final Transport[] nodes = factory.create(2);
            final int termLength = AeronTransportFactory.TEST_TERM_LENGTH;
            final String nearTheEnd = nodes[1].localEndpoint() + "|init-term-id=0|term-id=" + Integer.MAX_VALUE +
                "|term-offset=" + (termLength - 256) + "|term-length=" + termLength;
            final int peer = TransportTestSupport.resolveConnected(nodes[0], nearTheEnd);
            final UnsafeBuffer frame = pattern(64, 1);

            long result = 1;
            int accepted = 0;
            for (int i = 0; i < 100 && result > 0; i++)
            {
                result = nodes[0].offer(peer, frame, 0, frame.capacity());
                accepted += result > 0 ? 1 : 0;
            }
            assertThat(result).isEqualTo(Transport.MAX_POSITION_EXCEEDED);
            assertThat(accepted).isPositive().isLessThan(4);

            // The replacement is created asynchronously: not connected until it exists and connects, then usable.
            final long deadlineNs = System.nanoTime() + TransportTestSupport.WAIT_LIMIT_MS * 1_000_000L;
            long next;
            while ((next = nodes[0].offer(peer, frame, 0, frame.capacity())) <= 0)
            {
                assertThat(next).isIn(Transport.NOT_CONNECTED, Transport.BACK_PRESSURED);
                assertThat(System.nanoTime() - deadlineNs).as("replacement publication ready in time").isNegative();
                TransportTestSupport.sleepMs(1);
            }
            assertThat(next).isPositive();
        }
    }
}
