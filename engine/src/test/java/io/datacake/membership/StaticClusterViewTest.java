package io.datacake.membership;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class StaticClusterViewTest
{
    @Test
    void membersAreVisitedInIdOrderAndLivenessChangesMoveTheVersion()
    {
        final StaticClusterView view = new StaticClusterView(2, "dc1", "ep-2")
            .addMember(7, "dc2", "ep-7")
            .addMember(1, "dc1", "ep-1");
        final long version = view.version();

        view.live(7, false);
        view.live(7, false);

        assertThat(view.version()).isEqualTo(version + 1);
        assertThat(view.memberCount()).isEqualTo(3);
        assertThat(view.liveCount()).isEqualTo(2);
        final List<String> seen = new ArrayList<>();
        view.forEachMember((id, dc, endpoint, generation, live) -> seen.add(id + "/" + dc + "/" + endpoint + "/" + live));
        assertThat(seen).containsExactly("1/dc1/ep-1/true", "2/dc1/ep-2/true", "7/dc2/ep-7/false");
    }

    @Test
    void badMembersAreRefused()
    {
        final StaticClusterView view = new StaticClusterView(2, "dc1", "ep-2");
        assertThatThrownBy(() -> view.addMember(2, "dc1", "x")).hasMessageContaining("already a member");
        assertThatThrownBy(() -> view.addMember(70_000, "dc1", "x")).hasMessageContaining("outside 0..65535");
        assertThatThrownBy(() -> view.live(3, true)).hasMessageContaining("not a member");
        assertThatThrownBy(() -> view.live(2, false)).hasMessageContaining("always live");
    }
}
