package io.datacake.kv;

/**
 * A node setting is missing, unknown or out of range. The message is one line that names the option as it is
 * written on the command line ({@code --node-id}) and says what it accepts.
 */
public final class KvConfigException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    private final String option;

    /**
     * @param option  the option's long name without dashes, e.g. {@code node-id}.
     * @param message one line naming the option and what it accepts.
     */
    public KvConfigException(final String option, final String message)
    {
        super(message);
        this.option = option;
    }

    /**
     * @return the option's long name without dashes.
     */
    public String option()
    {
        return option;
    }
}
