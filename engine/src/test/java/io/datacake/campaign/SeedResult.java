package io.datacake.campaign;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;

/**
 * What one campaign seed did and found: its settings, the faults injected by kind, what the checker checked, the
 * violations (empty on a pass) and how long the cluster took to converge after the heal.
 */
final class SeedResult
{
    final CampaignSettings settings;
    final List<String> violations = new ArrayList<>();
    final EnumMap<FaultKind, Long> faults = new EnumMap<>(FaultKind.class);
    final List<String> faultLog = new ArrayList<>();
    long operations;
    long writesAcknowledged;
    long writesRequiredToSurvive;
    long lostWrites;
    long readsChecked;
    long keysChecked;
    long deletesSuperseded;
    long stampRegressionsAcrossRestarts;
    long convergenceMs = -1;
    long membershipFormedMs = -1;
    long membersMarkedDead;
    long membersRevived;
    long restartsDetected;
    long writesAcknowledgedOnPartialView;
    long writesRefusedWhileViewForming;
    long virtualMs;
    long wallMs;

    SeedResult(final CampaignSettings settings)
    {
        this.settings = settings;
    }

    boolean passed()
    {
        return violations.isEmpty();
    }

    void violation(final String message)
    {
        // Bounded: the first violations say enough, and a broken seed must not flood the report.
        if (violations.size() < 20)
        {
            violations.add(message);
        }
    }
}
