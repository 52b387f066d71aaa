package io.datacake.kv;

import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crash campaigns ({@link CrashCampaign}) on three node processes with LMDB and with SQLite: writes at ALL, ONE and
 * QUORUM go on while nodes are killed with SIGKILL and restarted on their data directories. After convergence every
 * acknowledged write is readable on every node with its value, the nodes agree on every key (a write of unknown
 * outcome is on all or on none), a write that definitely failed is on none, and nothing never written is served.
 * <p>
 * The default run is small (two kills, a few hundred writes); the {@code soak} variant does more kills and writes.
 * The seed is printed; {@code -Ddatacake.seed=N} replays the schedule.
 */
final class CrashCampaignTest
{
    private static final CrashCampaign.Settings SMALL =
        new CrashCampaign.Settings(2, 1_500, 4_000, 500, 2_500, 3, 150, 20, 240_000);
    private static final CrashCampaign.Settings SOAK =
        new CrashCampaign.Settings(10, 2_000, 8_000, 500, 5_000, 3, 5_000, 10, 900_000);

    @ParameterizedTest
    @EnumSource(value = StorageKind.class, names = {"LMDB", "SQLITE"})
    void everyAcknowledgedWriteSurvivesKillsAndTheNodesAgree(final StorageKind storage, @TempDir final Path dir)
        throws Exception
    {
        check(SMALL, new CrashCampaign(SMALL, storage, SeededTrials.seed("crash campaign " + storage)).run(dir));
    }

    @Tag("soak")
    @ParameterizedTest
    @EnumSource(value = StorageKind.class, names = {"LMDB", "SQLITE"})
    void manyKillsLongerWrites(final StorageKind storage, @TempDir final Path dir) throws Exception
    {
        check(SOAK, new CrashCampaign(SOAK, storage, SeededTrials.seed("crash campaign soak " + storage)).run(dir));
    }

    private static void check(final CrashCampaign.Settings settings, final CrashCampaign.Result result)
    {
        System.out.println(result.summary());
        assertThat(result.victims()).as("kills done").hasSize(settings.kills());
        assertThat(result.verdict().acknowledgedChecked()).as("acknowledged writes to check").isPositive();
        assertThat(result.verdict().violations()).as(result.summary()).isEmpty();
        assertThat(result.verdict().lost()).as("acknowledged writes lost").isZero();
    }
}
