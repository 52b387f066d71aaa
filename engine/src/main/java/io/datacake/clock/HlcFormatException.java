package io.datacake.clock;

/**
 * Text that is not a readable timestamp as written by {@link HlcTimestamp#toString(long, int)}.
 */
public final class HlcFormatException extends HlcException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param text   the text that failed to parse.
     * @param reason why it failed.
     */
    public HlcFormatException(final String text, final String reason)
    {
        super("not a timestamp '" + text + "' (" + reason + "), expected e.g. 2026-11-25T09:08:51.123Z/000a/12");
    }
}
