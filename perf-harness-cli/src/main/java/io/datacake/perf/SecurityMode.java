package io.datacake.perf;

import io.datacake.security.FrameProtection;

import java.util.Locale;

/**
 * Whether an embedded cluster secures its frames, named on the command line in lower case. A secured run generates
 * a one-key keyring for the run, shared by its nodes and never printed or written anywhere.
 */
public enum SecurityMode
{
    /** Frames are not secured: no keyring. */
    OFF(null),
    /** Every frame carries an HMAC tag ({@link FrameProtection#AUTHENTICATE}). */
    AUTHENTICATE(FrameProtection.AUTHENTICATE),
    /** Every frame is encrypted as well ({@link FrameProtection#ENCRYPT}). */
    ENCRYPT(FrameProtection.ENCRYPT);

    private final FrameProtection protection;

    SecurityMode(final FrameProtection protection)
    {
        this.protection = protection;
    }

    /**
     * @return what the run's keyring does to every frame, or null for {@link #OFF}.
     */
    public FrameProtection protection()
    {
        return protection;
    }

    /**
     * @return the name the command line uses.
     */
    @Override
    public String toString()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
