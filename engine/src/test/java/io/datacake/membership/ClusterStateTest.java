package io.datacake.membership;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterStateTest
{
    private final List<String> events = new ArrayList<>();
    private final ClusterStateListener recorder = new ClusterStateListener()
    {
        public void onEntryChanged(final int nodeId, final String key, final long version, final boolean tombstone)
        {
            events.add(nodeId + ":" + key + "@" + version + (tombstone ? " deleted" : ""));
        }

        public void onNodeForgotten(final int nodeId)
        {
            events.add("forgotten " + nodeId);
        }
    };

    @Test
    void everyWriteAndDeletionTakesTheNextVersion()
    {
        final ClusterState state = new ClusterState(3, 100, recorder);
        assertThat(state.set("a", "1")).isTrue();
        assertThat(state.set("b", "2")).isTrue();
        assertThat(state.set("a", "3")).isTrue();
        assertThat(state.delete("b", 50)).isTrue();

        final NodeState self = state.self();
        assertThat(self.maxVersion()).isEqualTo(4);
        assertThat(self.version("a")).isEqualTo(3);
        assertThat(self.stringValue("a")).isEqualTo("3");
        assertThat(self.version("b")).isEqualTo(4);
        assertThat(self.isDeleted("b")).isTrue();
        assertThat(self.containsKey("b")).isFalse();
        assertThat(self.value("b")).isNull();
        assertThat(self.liveKeyCount()).isEqualTo(1);
        assertThat(self.entryCount()).isEqualTo(2);
        assertThat(events).containsExactly("3:a@1", "3:b@2", "3:a@3", "3:b@4 deleted");

        final List<Long> versions = new ArrayList<>();
        self.forEachEntry((key, value, version, tombstone) -> versions.add(version));
        assertThat(versions).containsExactly(3L, 4L);
    }

    @Test
    void rewritingTheSameValueOrDeletingTwiceChangesNothing()
    {
        final ClusterState state = new ClusterState(1, 1, recorder);
        state.set("k", new byte[]{ 1, 2 });
        assertThat(state.set("k", new byte[]{ 1, 2 })).isFalse();
        assertThat(state.delete("k", 0)).isTrue();
        assertThat(state.delete("k", 0)).isFalse();
        assertThat(state.delete("never", 0)).isFalse();
        assertThat(state.self().maxVersion()).isEqualTo(2);
    }

    @Test
    void valuesAreCopiedInAndOut()
    {
        final ClusterState state = new ClusterState(1, 1, ClusterStateListener.NO_OP);
        final byte[] value = { 7 };
        state.set("k", value);
        value[0] = 8;
        final byte[] read = state.self().value("k");
        read[0] = 9;
        assertThat(state.self().value("k")).containsExactly(7);
    }

    @Test
    void tombstonesAreCollectedOnlyAfterTheGracePeriod()
    {
        final ClusterState state = new ClusterState(1, 1, ClusterStateListener.NO_OP);
        state.set("a", "x");
        state.set("b", "y");
        state.delete("a", 1_000);
        state.delete("b", 2_000);

        assertThat(state.collectTombstones(1_999, 1_000)).isZero();
        assertThat(state.collectTombstones(2_000, 1_000)).isEqualTo(1);
        assertThat(state.self().isDeleted("a")).isFalse();
        assertThat(state.self().version("a")).isZero();
        assertThat(state.self().isDeleted("b")).isTrue();
        assertThat(state.self().lastGcVersion()).isEqualTo(3);
        assertThat(state.collectTombstones(3_000, 1_000)).isEqualTo(1);
        assertThat(state.self().lastGcVersion()).isEqualTo(4);
        assertThat(state.self().maxVersion()).isEqualTo(4);
        assertThat(state.self().entryCount()).isZero();
        assertThatThrownBy(() -> state.collectTombstones(0, 0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("grace period");
    }

    @Test
    void badKeysAndValuesAreRejectedWithoutChangingState()
    {
        final ClusterState state = new ClusterState(1, 1, ClusterStateListener.NO_OP);
        assertThatThrownBy(() -> state.set("", "v")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("non-empty");
        assertThatThrownBy(() -> state.set(null, "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> state.set("k".repeat(NodeState.MAX_KEY_LENGTH + 1), "v"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit is " + NodeState.MAX_KEY_LENGTH);
        assertThatThrownBy(() -> state.set("k", new byte[NodeState.MAX_VALUE_LENGTH + 1]))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit is " +
                NodeState.MAX_VALUE_LENGTH);
        assertThatThrownBy(() -> state.set("k", (String)null)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("use delete");
        assertThat(state.self().maxVersion()).isZero();
        assertThat(state.set("k".repeat(NodeState.MAX_KEY_LENGTH), new byte[NodeState.MAX_VALUE_LENGTH])).isTrue();
    }

    @Test
    void theEntryBoundIsEnforced()
    {
        final ClusterState state = new ClusterState(1, 1, ClusterStateListener.NO_OP);
        for (int i = 0; i < NodeState.MAX_ENTRIES; i++)
        {
            state.set("k" + i, "v");
        }
        assertThatThrownBy(() -> state.set("one-more", "v")).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(String.valueOf(NodeState.MAX_ENTRIES));
        assertThat(state.set("k0", "overwrite is fine")).isTrue();
    }

    @Test
    void nodeIdsAndGenerationsAreRangeChecked()
    {
        assertThatThrownBy(() -> new ClusterState(65_536, 1, ClusterStateListener.NO_OP))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..65535");
        assertThatThrownBy(() -> new ClusterState(-1, 1, ClusterStateListener.NO_OP))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClusterState(1, -1, ClusterStateListener.NO_OP))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("generation");
        assertThat(new ClusterState(65_535, 0, ClusterStateListener.NO_OP).self().nodeId()).isEqualTo(65_535);
    }

    @Test
    void digestSummarisesEveryMember()
    {
        final ClusterState a = new ClusterState(1, 10, ClusterStateListener.NO_OP);
        final ClusterState b = new ClusterState(2, 20, recorder);
        a.set("x", "1");
        a.incrementHeartbeat();
        a.incrementHeartbeat();
        new GossipHarness(4096).exchange(a, b, 0);

        final Digest digest = new Digest();
        b.digest(digest);
        assertThat(digest.count()).isEqualTo(2);
        final int row = digest.indexOf(1);
        assertThat(digest.nodeId(row)).isEqualTo(1);
        assertThat(digest.generation(row)).isEqualTo(10);
        assertThat(digest.heartbeat(row)).isEqualTo(2);
        assertThat(digest.maxVersion(row)).isEqualTo(1);
        assertThat(digest.indexOf(3)).isEqualTo(-1);
        assertThatThrownBy(() -> digest.nodeId(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> digest.add(1, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("already");
    }

    @Test
    void heartbeatsFromADigestRaiseOnlyKnownMembersOfTheSameGeneration()
    {
        final ClusterState a = new ClusterState(1, 10, ClusterStateListener.NO_OP);
        final ClusterState b = new ClusterState(2, 20, ClusterStateListener.NO_OP);
        new GossipHarness(4096).exchange(a, b, 0);

        final Digest digest = new Digest();
        digest.add(1, 10, 5, 0, 0);
        digest.add(2, 20, 99, 0, 0);
        digest.add(3, 1, 7, 0, 0);
        assertThat(b.observeHeartbeats(digest)).isEqualTo(1);
        assertThat(b.node(1).heartbeat()).isEqualTo(5);
        assertThat(b.self().heartbeat()).as("nobody else sets this node's heartbeat").isZero();
        assertThat(b.node(3)).isNull();

        final Digest older = new Digest();
        older.add(1, 9, 50, 0, 0);
        older.add(2, 20, 0, 0, 0);
        assertThat(b.observeHeartbeats(older)).isZero();
        assertThat(b.node(1).heartbeat()).isEqualTo(5);
    }

    @Test
    void forgettingDropsAMemberButNeverThisNode()
    {
        final ClusterState a = new ClusterState(1, 10, ClusterStateListener.NO_OP);
        final ClusterState b = new ClusterState(2, 20, recorder);
        new GossipHarness(4096).exchange(a, b, 0);
        assertThat(b.nodeCount()).isEqualTo(2);
        assertThat(b.forget(1)).isTrue();
        assertThat(b.forget(1)).isFalse();
        assertThat(b.node(1)).isNull();
        assertThat(events).containsExactly("forgotten 1");
        assertThatThrownBy(() -> b.forget(2)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("this node");
    }
}
