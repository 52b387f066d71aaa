package io.datacake.campaign;

/**
 * The kinds of fault a campaign injects, counted per seed and over a campaign.
 */
enum FaultKind
{
    /** The cluster split in two sides for a while. */
    PARTITION,
    /** Nodes cut off one by one, then let back in a different order. */
    SWIZZLE,
    /** A node crashed (power loss) and later restarted on its storage. */
    CRASH,
    /** A window of frame loss, duplication and varied delay (hence reordering). */
    NETWORK_FAULTS,
    /** A window of failing commits and, on the write-back disk, later durability. */
    STORAGE_FAULTS,
    /** A node's storage writer stalled for a while (a disk that stops answering). */
    WRITER_STALL,
    /** A node's clock stepped within the HLC's maximum drift, or set drifting. */
    CLOCK_SKEW,
    /** A node's clock stepped ahead beyond the HLC's maximum drift. */
    CLOCK_BEYOND_DRIFT,
    /** Frames the network dropped (loss, cuts, crashed destinations). */
    FRAMES_DROPPED,
    /** Extra frame copies the network delivered. */
    FRAMES_DUPLICATED,
    /** Frames delayed beyond the fault-free latency (frames with crossing delays arrive reordered). */
    FRAMES_DELAYED,
    /** Storage commits the fault plan failed. */
    COMMITS_FAILED,
    /** Storage commits lost in crashes before they were durable. */
    COMMITS_LOST
}
