package io.datacake.sim;

import io.datacake.transport.Transport;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class SimNetworkTest
{
    private final SimClock clock = new SimClock();
    private final EventTrace trace = new EventTrace();
    private final List<String> received = new ArrayList<>();

    @Test
    void framesArriveAfterTheirDelayInVirtualTime()
    {
        final SimNetwork network = new SimNetwork(clock, new RandomNetworkFaults(1, 0, 0, 10, 10), trace, 1024);
        final SimTransport a = network.newTransport("a");
        final SimTransport b = network.newTransport("b");
        a.offer(a.resolvePeer("b"), frame("hi"), 0, 2);
        clock.advanceMs(9);
        network.deliverDue();
        assertThat(b.poll(this::collect, 10)).isZero();
        clock.advanceMs(1);
        assertThat(network.deliverDue()).isEqualTo(1);
        assertThat(b.poll(this::collect, 10)).isEqualTo(1);
        assertThat(received).containsExactly("hi");
    }

    @Test
    void lossAndDuplicationFollowTheFaultModel()
    {
        final SimNetwork dropAll = new SimNetwork(clock, new RandomNetworkFaults(1, 1.0, 0, 1, 1), trace, 1024);
        final SimTransport a = dropAll.newTransport("a");
        final SimTransport b = dropAll.newTransport("b");
        a.offer(a.resolvePeer("b"), frame("x"), 0, 1);
        clock.advanceMs(5);
        dropAll.deliverDue();
        assertThat(b.inboxSize()).isZero();
        assertThat(dropAll.droppedFrames()).isEqualTo(1);

        final SimNetwork duplicateAll = new SimNetwork(clock, new RandomNetworkFaults(1, 0, 1.0, 1, 1), trace, 1024);
        final SimTransport c = duplicateAll.newTransport("c");
        final SimTransport d = duplicateAll.newTransport("d");
        c.offer(c.resolvePeer("d"), frame("y"), 0, 1);
        clock.advanceMs(5);
        duplicateAll.deliverDue();
        assertThat(d.poll(this::collect, 10)).isEqualTo(2);
        assertThat(duplicateAll.duplicatedFrames()).isEqualTo(1);
    }

    @Test
    void partitionCutsBothWaysIncludingFramesInFlightUntilHealed()
    {
        final SimNetwork network = new SimNetwork(clock, new RandomNetworkFaults(1, 0, 0, 5, 5), trace, 1024);
        final SimTransport a = network.newTransport("a");
        final SimTransport b = network.newTransport("b");
        final SimTransport c = network.newTransport("c");
        a.offer(a.resolvePeer("b"), frame("in-flight"), 0, 9);
        network.partition(List.of("a"), List.of("b"));
        assertThat(network.canReach("a", "b")).isFalse();
        assertThat(network.canReach("b", "a")).isFalse();
        assertThat(network.canReach("a", "c")).isTrue();
        a.offer(a.resolvePeer("c"), frame("to-c"), 0, 4);
        b.offer(b.resolvePeer("a"), frame("cut"), 0, 3);
        clock.advanceMs(5);
        network.deliverDue();
        assertThat(b.inboxSize()).isZero();
        assertThat(a.inboxSize()).isZero();
        assertThat(c.inboxSize()).isEqualTo(1);

        network.heal();
        a.offer(a.resolvePeer("b"), frame("healed"), 0, 6);
        clock.advanceMs(5);
        network.deliverDue();
        b.poll(this::collect, 10);
        assertThat(received).containsExactly("healed");
    }

    @Test
    void aSwizzleHealsOneNodeAtATimeLeavingTheOtherCutsInPlace()
    {
        final SimNetwork network = new SimNetwork(clock, NetworkFaults.NONE, trace, 1024);
        network.partition(List.of("a"), List.of("b", "c"));
        network.partition(List.of("b"), List.of("a", "c"));
        assertThat(network.cutLinkCount()).isEqualTo(6);

        network.heal(List.of("b"), List.of("a", "c"));
        assertThat(network.canReach("b", "c")).isTrue();
        assertThat(network.canReach("c", "b")).isTrue();
        assertThat(network.canReach("a", "b")).as("healing b also lets a and b talk").isTrue();
        assertThat(network.canReach("a", "c")).as("a is still cut from c").isFalse();
        assertThat(network.canReach("c", "a")).isFalse();
        assertThat(network.cutLinkCount()).isEqualTo(2);

        network.heal(List.of("a"), List.of("b", "c"));
        assertThat(network.cutLinkCount()).isZero();
    }

    @Test
    void aFrameInFlightIsLostWhenItsTransportGoesAwayEvenIfANewOneListensThereByThen()
    {
        final SimNetwork network = new SimNetwork(clock, new RandomNetworkFaults(1, 0, 0, 10, 10), trace, 1024);
        final SimTransport a = network.newTransport("a");
        final SimTransport b = network.newTransport("b");
        a.offer(a.resolvePeer("b"), frame("to-old-b"), 0, 8);
        b.close();
        final SimTransport newB = network.newTransport("b");
        a.offer(a.resolvePeer("b"), frame("to-new-b"), 0, 8);
        a.offer(a.resolvePeer("c"), frame("nobody"), 0, 6);
        final SimTransport c = network.newTransport("c");
        c.offer(c.resolvePeer("a"), frame("in-inbox"), 0, 8);
        clock.advanceMs(10);
        network.deliverDue();
        assertThat(a.inboxSize()).isEqualTo(1);
        assertThat(network.crash("a")).as("inbox frames lost").isEqualTo(1);
        assertThat(network.crash("a")).as("nothing listens any more").isEqualTo(-1);
        assertThat(network.endpoints()).containsExactlyInAnyOrder("b", "c");
        newB.poll(this::collect, 10);
        assertThat(received).containsExactly("to-new-b");
        assertThat(network.droppedFrames()).isEqualTo(2);
    }

    @Test
    void sendToANodeThatIsNotListeningIsNotConnected()
    {
        final SimNetwork network = new SimNetwork(clock, NetworkFaults.NONE, trace, 1024);
        final SimTransport a = network.newTransport("a");
        final int peer = a.resolvePeer("nobody");
        assertThat(a.isConnected(peer)).isFalse();
        assertThat(a.offer(peer, frame("x"), 0, 1)).isEqualTo(Transport.NOT_CONNECTED);
        assertThatThrownBy(() -> a.offer(peer, new UnsafeBuffer(new byte[2000]), 0, 2000))
            .isInstanceOf(IllegalArgumentException.class);
        a.close();
        assertThat(a.offer(peer, frame("x"), 0, 1)).isEqualTo(Transport.CLOSED);
    }

    @Test
    void faultParametersAreValidated()
    {
        assertThatThrownBy(() -> new RandomNetworkFaults(1, 1.5, 0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RandomNetworkFaults(1, 0, 0, 5, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> clock.advanceMs(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    private void collect(final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        received.add(buffer.getStringWithoutLengthAscii(offset, length));
    }

    private static UnsafeBuffer frame(final String text)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[text.length()]);
        buffer.putStringWithoutLengthAscii(0, text);
        return buffer;
    }
}
