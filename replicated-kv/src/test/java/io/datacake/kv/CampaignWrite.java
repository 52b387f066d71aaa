package io.datacake.kv;

/**
 * One write a {@link CampaignWriter} sent, with what the client learned about it.
 *
 * @param key     the key, unique in the campaign ({@link CampaignWriter#key}).
 * @param value   the value, naming writer and sequence.
 * @param level   the consistency level asked for.
 * @param node    the node it was sent to, 0 to 2.
 * @param outcome what the client can conclude.
 * @param detail  the status and body, or the exception, for the report.
 */
record CampaignWrite(long key, String value, String level, int node, Outcome outcome, String detail)
{
    /**
     * What a client can conclude about a write from the answer it got.
     */
    enum Outcome
    {
        /** 200: acknowledged at the level; it must be readable on every node once the cluster converged. */
        OK,
        /**
         * The node said nothing was written (503 for too few live members or a busy node) or the connection was
         * refused; it must be readable on no node.
         */
        FAILED,
        /** Anything else (a replica failed or timed out, a timeout, a reset): present on all nodes or on none. */
        UNKNOWN
    }
}
