package io.datacake.perf;

import java.util.Locale;

/**
 * The systems {@code perf-harness compare} can measure, as its {@code --targets} option names them.
 */
enum CompareTargetKind
{
    /** datacake-java: the embedded cluster of {@code perf-harness run}. */
    DATACAKE("datacake"),
    /** Hazelcast ReplicatedMap. */
    HAZELCAST("hazelcast"),
    /** Pekko Distributed Data, LWWMap, WriteLocal. */
    PEKKO_LOCAL("pekko-local"),
    /** Pekko Distributed Data, LWWMap, WriteAll. */
    PEKKO_ALL("pekko-all");

    private final String optionName;

    CompareTargetKind(final String optionName)
    {
        this.optionName = optionName;
    }

    /**
     * @param text a name as typed.
     * @return the kind.
     * @throws IllegalArgumentException naming the accepted names if there is no such kind.
     */
    static CompareTargetKind parse(final String text)
    {
        for (final CompareTargetKind kind : values())
        {
            if (kind.optionName.equals(text.trim().toLowerCase(Locale.ROOT)))
            {
                return kind;
            }
        }
        throw new IllegalArgumentException("no target named '" + text + "'");
    }

    /**
     * @return the name the command line uses.
     */
    @Override
    public String toString()
    {
        return optionName;
    }
}
