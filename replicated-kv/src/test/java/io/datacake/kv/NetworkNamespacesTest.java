package io.datacake.kv;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link NetworkNamespaces} makes what it says, removes all of it on close, and removes only the leftovers of runs
 * whose process is gone. Needs root and network namespaces; skipped with the reason where they are not allowed.
 */
final class NetworkNamespacesTest
{
    @BeforeAll
    static void namespacesAllowed()
    {
        final String reason = NetworkNamespaces.unavailableReason();
        assumeTrue(null == reason, () -> "network namespaces not allowed here: " + reason);
    }

    @Test
    void makesNamespacesWithAddressesAndRemovesThemAndTheHostLinksOnClose() throws Exception
    {
        final NetworkNamespaces namespaces = NetworkNamespaces.create(2);
        final List<String> names = List.of(namespaces.namespace(0), namespaces.namespace(1));
        try
        {
            assertThat(namespaceList()).contains(names.get(0), names.get(1));
            assertThat(NetworkNamespaces.run("ip", "-n", names.get(1), "-o", "addr"))
                .contains(namespaces.clusterAddress(1) + "/24", namespaces.httpAddress(1) + "/30");
            assertThat(NetworkNamespaces.run("ip", "-o", "addr")).as("host side of the HTTP links")
                .doesNotContain(namespaces.httpAddress(0) + "/").contains(hostPeer(namespaces.httpAddress(0)));
        }
        finally
        {
            namespaces.close();
        }
        assertThat(namespaceList()).doesNotContain(names.get(0), names.get(1));
        assertThat(NetworkNamespaces.run("ip", "-o", "addr")).doesNotContain(hostPeer(namespaces.httpAddress(0)));
        namespaces.close();
    }

    @Test
    void cutTakesTheCarrierOffTheNodesClusterLinkAndRestoreBringsItBack() throws Exception
    {
        try (NetworkNamespaces namespaces = NetworkNamespaces.create(1))
        {
            namespaces.cut(0);
            assertThat(NetworkNamespaces.run("ip", "-n", namespaces.namespace(0), "link", "show", "c0"))
                .contains("NO-CARRIER", "state DOWN");
            namespaces.restore(0);
            assertThat(NetworkNamespaces.run("ip", "-n", namespaces.namespace(0), "link", "show", "c0"))
                .doesNotContain("NO-CARRIER").contains("LOWER_UP");
        }
    }

    @Test
    void removeStaleDeletesOnlyNamespacesOfRunsWhoseProcessIsGone() throws Exception
    {
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        final String stale = NetworkNamespaces.PREFIX + gone.pid() + "-0000-n1";
        final String live = NetworkNamespaces.PREFIX + ProcessHandle.current().pid() + "-0000-n1";
        NetworkNamespaces.run("ip", "netns", "add", stale);
        NetworkNamespaces.run("ip", "netns", "add", live);
        try
        {
            NetworkNamespaces.removeStale();
            assertThat(namespaceList()).doesNotContain(stale).contains(live);
        }
        finally
        {
            NetworkNamespaces.run("ip", "netns", "delete", live);
            if (namespaceList().contains(stale))
            {
                NetworkNamespaces.run("ip", "netns", "delete", stale);
            }
        }
    }

    private static String namespaceList() throws Exception
    {
        return NetworkNamespaces.run("ip", "netns", "list");
    }

    /**
     * The host end of a node's /30 HTTP link: one below the node's address.
     */
    private static String hostPeer(final String httpAddress)
    {
        final int dot = httpAddress.lastIndexOf('.');
        return " " + httpAddress.substring(0, dot + 1) + (Integer.parseInt(httpAddress.substring(dot + 1)) - 1) +
            "/30";
    }
}
