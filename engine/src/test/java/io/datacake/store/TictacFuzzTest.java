package io.datacake.store;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.datacake.testing.FuzzInputs;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tictac messages as both sides of a repair round read them, mutated from real requests and replies: the responder
 * answers a request or throws {@link TictacMessageException}, and an exchange awaiting a reply either moves on or
 * throws {@link TictacMessageException} and stays where it was; nothing else escapes.
 */
final class TictacFuzzTest
{
    private static final int BRANCHES = 16;
    private static final int SEGMENTS_PER_BRANCH = 16;

    private final Replica local = new Replica(BRANCHES, SEGMENTS_PER_BRANCH);
    private final Replica remote = new Replica(BRANCHES, SEGMENTS_PER_BRANCH);
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[TictacCodec.MAX_MESSAGE_LENGTH]);
    private final List<byte[]> seeds;

    TictacFuzzTest()
    {
        for (long key = 0; key < 200; key++)
        {
            local.put(key, key + 1);
            remote.put(key, key % 17 == 0 ? key + 2 : key + 1);
        }
        seeds = seeds();
    }

    @AfterEach
    void close()
    {
        local.close();
        remote.close();
    }

    @Test
    void mutatedTreeMessagesAreAnsweredOrRefusedWithTheirReason()
    {
        assertThat(FuzzInputs.runSlice("tictac messages", seeds, this::receive)).isGreaterThan(seeds.size());
    }

    @FuzzTest(maxDuration = "60s")
    void tictacMessage(final FuzzedDataProvider data)
    {
        receive(FuzzInputs.mutate(seeds, FuzzInputs.from(data)));
    }

    private void receive(final byte[] message)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(message);
        try
        {
            final int length = new TictacResponder(remote.tree).respond(buffer, 0, message.length, out, 0);
            new TictacMessage().wrap(out, 0, length);
        }
        catch (final TictacMessageException expected)
        {
            assertThat(expected.reason()).isNotNull();
        }

        // As the reply to each step of a round: at the root, then at the first branch hashes request.
        final TictacExchange exchange = new TictacExchange(local.tree);
        exchange.start(out, 0);
        replyTo(exchange, buffer, message.length);
        exchange.start(out, 0);
        final UnsafeBuffer rootReply = new UnsafeBuffer(new byte[TictacCodec.MAX_MESSAGE_LENGTH]);
        final int rootLength = TictacCodec.encodeRoot(remote.tree, rootReply, 0);
        assertThat(exchange.onMessage(rootReply, 0, rootLength, out, 0)).isPositive();
        replyTo(exchange, buffer, message.length);
    }

    private void replyTo(final TictacExchange exchange, final UnsafeBuffer reply, final int length)
    {
        final TictacExchange.State before = exchange.state();
        try
        {
            final int requestLength = exchange.onMessage(reply, 0, length, out, 0);
            assertThat(requestLength).isBetween(0, TictacCodec.REQUEST_LENGTH);
        }
        catch (final TictacMessageException expected)
        {
            assertThat(exchange.state()).isEqualTo(before);
        }
    }

    private List<byte[]> seeds()
    {
        final List<byte[]> seeds = new ArrayList<>();
        final int[] segmentIds = {0, 3, 17, BRANCHES * SEGMENTS_PER_BRANCH - 1};
        seeds.add(copy(TictacCodec.encodeRoot(local.tree, out, 0)));
        seeds.add(copy(TictacCodec.encodeBranchHashesRequest(local.tree, 0, BRANCHES, out, 0)));
        seeds.add(copy(TictacCodec.encodeBranchHashes(remote.tree, 0, BRANCHES, out, 0)));
        seeds.add(copy(TictacCodec.encodeSegmentHashesRequest(local.tree, 16, SEGMENTS_PER_BRANCH, out, 0)));
        seeds.add(copy(TictacCodec.encodeSegmentHashes(remote.tree, 16, SEGMENTS_PER_BRANCH, out, 0)));
        seeds.add(copy(TictacCodec.encodeSegmentIds(local.tree, segmentIds, 0, segmentIds.length, out, 0)));
        return List.copyOf(seeds);
    }

    private byte[] copy(final int length)
    {
        final byte[] bytes = new byte[length];
        out.getBytes(0, bytes);
        return bytes;
    }
}
