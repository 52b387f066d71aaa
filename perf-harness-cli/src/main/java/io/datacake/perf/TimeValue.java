package io.datacake.perf;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the command line's times: a non-negative number, fractions allowed, followed by ms, s, m or h; a bare
 * number is seconds. {@code 500ms}, {@code 2.5s}, {@code 10}, {@code 1m}.
 */
public final class TimeValue implements ITypeConverter<Duration>
{
    private static final Pattern SYNTAX = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(ms|s|m|h)?");

    /**
     * Parse a time.
     *
     * @param text the time.
     * @return the duration, to the nanosecond.
     * @throws IllegalArgumentException if the text is not a number with an optional unit, or is longer than a year.
     */
    public static Duration parse(final String text)
    {
        final Matcher m = SYNTAX.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches())
        {
            throw new IllegalArgumentException("'" + text + "' is not a time such as 500ms, 2.5s, 1m or 1h");
        }
        final double amount = Double.parseDouble(m.group(1));
        final String unit = null == m.group(2) ? "s" : m.group(2);
        final double seconds = switch (unit)
        {
            case "ms" -> amount / 1e3;
            case "m" -> amount * 60;
            case "h" -> amount * 3600;
            default -> amount;
        };
        if (seconds > Duration.ofDays(365).toSeconds())
        {
            throw new IllegalArgumentException("'" + text + "' is longer than a year");
        }
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    /**
     * {@inheritDoc}
     *
     * @throws TypeConversionException saying why the text is not a time.
     */
    public Duration convert(final String value)
    {
        try
        {
            return parse(value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new TypeConversionException(ex.getMessage());
        }
    }

    /**
     * @param duration a duration.
     * @return it in seconds, e.g. {@code 2.5 s}, or milliseconds below one second.
     */
    static String format(final Duration duration)
    {
        return duration.toMillis() < 1000 ?
            String.format(Locale.ROOT, "%d ms", duration.toMillis()) :
            String.format(Locale.ROOT, "%.1f s", duration.toNanos() / 1e9);
    }
}
