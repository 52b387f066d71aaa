package io.datacake.kv;

import io.datacake.membership.ConsistencyException;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.node.NodeBackPressureException;
import io.datacake.node.NodeClosedException;
import io.datacake.store.ReplicationException;
import io.datacake.store.StoreBackPressureException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A crash campaign's client judges each reply the API really gives: only a reply saying nothing was written is a
 * definite failure, so the checker's "on no node" rule is never applied to a write that may have landed.
 */
final class CampaignWriterTest
{
    @Test
    void anAcknowledgedWriteIsOk()
    {
        assertThat(outcomeOf(HttpReply.ok())).isEqualTo(CampaignWrite.Outcome.OK);
    }

    @Test
    void tooFewLiveMembersAndBackPressureAreDefiniteFailures()
    {
        assertThat(outcomeOf(KvApi.replyFor(new ConsistencyException(ConsistencyLevel.ALL, 2, 1, null, "every"))))
            .isEqualTo(CampaignWrite.Outcome.FAILED);
        assertThat(outcomeOf(KvApi.replyFor(new ConsistencyException(ConsistencyLevel.QUORUM, 1, 0, null, "q"))))
            .isEqualTo(CampaignWrite.Outcome.FAILED);
        assertThat(outcomeOf(KvApi.replyFor(new StoreBackPressureException("4096 writes pending"))))
            .isEqualTo(CampaignWrite.Outcome.FAILED);
        assertThat(outcomeOf(KvApi.replyFor(new NodeBackPressureException(1, 4096))))
            .isEqualTo(CampaignWrite.Outcome.FAILED);
    }

    @Test
    void aWriteThatMayHaveLandedIsUnknown()
    {
        assertThat(outcomeOf(KvApi.replyFor(new ReplicationException(1, 3, "replica 2 timed out"))))
            .isEqualTo(CampaignWrite.Outcome.UNKNOWN);
        assertThat(outcomeOf(KvApi.replyFor(new NodeClosedException(1))))
            .isEqualTo(CampaignWrite.Outcome.UNKNOWN);
        assertThat(CampaignWriter.outcome(504, "the write had no outcome within 10000 ms; it may still be applied"))
            .isEqualTo(CampaignWrite.Outcome.UNKNOWN);
        assertThat(CampaignWriter.outcome(500, "write failed")).isEqualTo(CampaignWrite.Outcome.UNKNOWN);
    }

    @Test
    void keysOfWritersNeverCollide()
    {
        assertThat(CampaignWriter.key(0, (int)CampaignWriter.KEY_BLOCK - 1))
            .isLessThan(CampaignWriter.key(1, 0));
        assertThat(CampaignWriter.value(2, 7, "quorum")).isEqualTo("w2-s7-quorum");
    }

    private static CampaignWrite.Outcome outcomeOf(final HttpReply reply)
    {
        return CampaignWriter.outcome(reply.status(), reply.bodyText());
    }
}
